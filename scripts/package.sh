#!/usr/bin/env bash
# `make package`: builds the provider and writes dist/ in the shape of a Terraform registry release:
#   dist/terraform-provider-gitmoxi_VERSION_linux_amd64.zip   the binary, named terraform-provider-gitmoxi_vVERSION
#   dist/terraform-provider-gitmoxi_VERSION_SHA256SUMS        sha256 of the zip and the manifest (sha256sum format)
#   dist/terraform-provider-gitmoxi_VERSION_manifest.json     {"version":1,"metadata":{"protocol_versions":["6.0"]}}
# VERSION is the package version in Cargo.toml. `scripts/install.sh` (`make install`) puts the zip
# into a filesystem mirror for `terraform init`.
#
# Environment:
#   PROFILE=release|debug   release: the shipped build (scripts/build-release.sh; default); debug builds much faster
#   PROVIDER_BINARY=/path   package this binary and build nothing (tests use the one cargo built)
#   DIST_DIR=/path          where to write (default dist/)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME="terraform-provider-gitmoxi"
OS_ARCH="linux_amd64"
PROFILE="${PROFILE:-release}"
DIST_DIR="${DIST_DIR:-$ROOT/dist}"
CARGO="${CARGO:-cargo}"

say() { printf 'package: %s\n' "$*"; }
die() { printf 'package: error: %s\n' "$*" >&2; exit 1; }

# The interpreter for the zip fallback and the version lookup: the project's venv, else python3.
PYTHON="$ROOT/.venv/bin/python"
[[ -x "$PYTHON" ]] || PYTHON="$(command -v python3 || true)"
[[ -n "$PYTHON" ]] || die "python3 is needed (run 'make tools')"

VERSION="$("$PYTHON" - "$ROOT/Cargo.toml" <<'PY'
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    print(tomllib.load(f)["package"]["version"])
PY
)" || die "could not read the package version from Cargo.toml"

if [[ -n "${PROVIDER_BINARY:-}" ]]; then
  BINARY="$PROVIDER_BINARY"
  say "packaging $BINARY (PROVIDER_BINARY; nothing built)"
else
  case "$PROFILE" in
    release) CARGO="$CARGO" "$ROOT/scripts/build-release.sh" ;;
    debug) (cd "$ROOT" && "$CARGO" build --bin "$NAME") ;;
    *) die "PROFILE must be release or debug, not '$PROFILE'" ;;
  esac
  BINARY="${CARGO_TARGET_DIR:-$ROOT/target}/$PROFILE/$NAME"
fi
[[ -x "$BINARY" ]] || die "$BINARY is missing or not executable"

ZIP="${NAME}_${VERSION}_${OS_ARCH}.zip"
SUMS="${NAME}_${VERSION}_SHA256SUMS"
MANIFEST="${NAME}_${VERSION}_manifest.json"
INNER="${NAME}_v${VERSION}"

mkdir -p "$DIST_DIR"
rm -f "$DIST_DIR/$ZIP" "$DIST_DIR/$SUMS" "$DIST_DIR/$MANIFEST"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
install -m 0755 "$BINARY" "$stage/$INNER"

# The binary keeps its executable bit inside the zip: `terraform init` unpacks it with that mode.
if command -v zip >/dev/null 2>&1; then
  (cd "$stage" && zip -q -X "$DIST_DIR/$ZIP" "$INNER")
else
  "$PYTHON" - "$stage/$INNER" "$DIST_DIR/$ZIP" "$INNER" <<'PY'
import sys, zipfile
source, target, name = sys.argv[1:4]
info = zipfile.ZipInfo.from_file(source, arcname=name)
info.external_attr = (0o100755 & 0xFFFF) << 16
info.compress_type = zipfile.ZIP_DEFLATED
with zipfile.ZipFile(target, "w") as z, open(source, "rb") as f:
    z.writestr(info, f.read())
PY
fi

printf '{"version":1,"metadata":{"protocol_versions":["6.0"]}}\n' >"$DIST_DIR/$MANIFEST"
(cd "$DIST_DIR" && sha256sum "$ZIP" "$MANIFEST" >"$SUMS")

say "wrote $DIST_DIR:"
(cd "$DIST_DIR" && ls -l "$ZIP" "$SUMS" "$MANIFEST" | awk '{ printf "  %10s  %s\n", $5, $NF }')
