#!/usr/bin/env bash
# `make install`: puts the packaged provider (dist/, from scripts/package.sh) into a local
# filesystem mirror, in the packed layout `terraform init` reads:
#   MIRROR/registry.terraform.io/gitmoxi/gitmoxi/terraform-provider-gitmoxi_VERSION_linux_amd64.zip
# and prints the CLI configuration that makes a plain `terraform init` (no dev_overrides) use it.
#
# Environment:
#   MIRROR=/path    the mirror (default .tools/mirror; ~/.terraform.d/plugins is the folder
#                   Terraform searches without any CLI configuration)
#   DIST_DIR=/path  where the package is (default dist/)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME="terraform-provider-gitmoxi"
ADDRESS="registry.terraform.io/gitmoxi/gitmoxi"
OS_ARCH="linux_amd64"
DIST_DIR="${DIST_DIR:-$ROOT/dist}"
MIRROR="${MIRROR:-$ROOT/.tools/mirror}"

say() { printf 'install: %s\n' "$*"; }
die() { printf 'install: error: %s\n' "$*" >&2; exit 1; }

shopt -s nullglob
zips=("$DIST_DIR/${NAME}_"*"_${OS_ARCH}.zip")
((${#zips[@]} > 0)) || die "no ${NAME}_*_${OS_ARCH}.zip in $DIST_DIR: run 'make package' first"
((${#zips[@]} == 1)) || die "several packages in $DIST_DIR (${zips[*]##*/}): remove the old ones"
zip="${zips[0]}"
version="${zip##*/${NAME}_}"
version="${version%_${OS_ARCH}.zip}"

# The zip must match the SHA256SUMS written with it.
sums="$DIST_DIR/${NAME}_${version}_SHA256SUMS"
[[ -f "$sums" ]] || die "$sums is missing: run 'make package' again"
(cd "$DIST_DIR" && grep " ${zip##*/}\$" "$(basename "$sums")" | sha256sum --check --status) ||
  die "${zip##*/} does not match $(basename "$sums"): run 'make package' again"

mkdir -p "$MIRROR"
MIRROR="$(cd "$MIRROR" && pwd)"
dest="$MIRROR/$ADDRESS"
mkdir -p "$dest"
# An unpacked copy of the same version would shadow the zip: remove it.
rm -rf "${dest:?}/$version"
install -m 0644 "$zip" "$dest/${zip##*/}"
say "installed gitmoxi/gitmoxi $version into $dest/${zip##*/}"

cat <<SNIPPET

Use it from a CLI configuration file (~/.terraformrc, or a file named by TF_CLI_CONFIG_FILE):

provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["$ADDRESS"]
  }
  direct {
    exclude = ["$ADDRESS"]
  }
}

then 'terraform init' installs gitmoxi/gitmoxi $version and records its hash in .terraform.lock.hcl.
SNIPPET
