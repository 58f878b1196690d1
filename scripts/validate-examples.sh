#!/usr/bin/env bash
# Runs `terraform validate` on every folder of examples/ (part of `make test`), with the provider
# built by cargo coming in through dev_overrides. Where an example also needs a provider that is
# not overridden (hashicorp/aws), `terraform init -backend=false` installs it first from the
# filesystem mirror `make tools` fills (.tools/mirror); no registry is contacted.
# Examples run in place (relative module sources such as ../../modules keep working) with their
# .terraform data under target/validate-examples/; a lock file init writes is removed afterwards.
#
# Environment: PROVIDER_BINARY=/path (default target/debug/terraform-provider-gitmoxi),
# TERRAFORM=/path (default .venv/bin/terraform, Terraform 1.15.5).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TERRAFORM="${TERRAFORM:-$ROOT/.venv/bin/terraform}"
PROVIDER_BINARY="${PROVIDER_BINARY:-$ROOT/target/debug/terraform-provider-gitmoxi}"
WORK="$ROOT/target/validate-examples"
MIRROR="$ROOT/.tools/mirror"

say() { printf 'validate-examples: %s\n' "$*"; }
die() { printf 'validate-examples: FAILED: %s\n' "$*" >&2; exit 1; }

[[ -x "$TERRAFORM" ]] || die "$TERRAFORM is missing: run 'make tools'"
[[ -x "$PROVIDER_BINARY" ]] || die "$PROVIDER_BINARY is missing: run 'cargo build'"

rm -rf "$WORK"
mkdir -p "$WORK"
cat >"$WORK/.terraformrc" <<EOF2
provider_installation {
  dev_overrides {
    "gitmoxi/gitmoxi" = "$(dirname "$PROVIDER_BINARY")"
  }
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["registry.terraform.io/hashicorp/*"]
  }
}
EOF2
export TF_CLI_CONFIG_FILE="$WORK/.terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_INPUT=0
unset TF_CLI_ARGS TF_WORKSPACE TF_DATA_DIR

# Runs Terraform in an example folder, its data dir and logs under $WORK/<example>; on failure
# shows what it printed.
tf() {
  local dir="$1" name="$2" data="$WORK/${1##*/}"
  shift 2
  mkdir -p "$data"
  if ! (cd "$dir" && TF_DATA_DIR="$data/.terraform" "$TERRAFORM" "$@" -no-color >"$data/$name.log" 2>&1); then
    cat "$data/$name.log" >&2
    die "terraform $* in examples/${dir##*/}"
  fi
}

count=0
# Formatting first: examples are what users copy.
if ! "$TERRAFORM" fmt -check -recursive -no-color "$ROOT/examples" "$ROOT/modules" >"$WORK/fmt.log" 2>&1; then
  cat "$WORK/fmt.log" >&2
  die "terraform fmt -check: run 'terraform fmt -recursive examples modules'"
fi
say "terraform fmt: ok"

for example in "$ROOT"/examples/*/; do
  example="${example%/}"
  name="${example##*/}"
  [[ -f "$example/README.md" ]] || die "examples/$name has no README.md"
  compgen -G "$example/*.tf" >/dev/null || die "examples/$name has no .tf file"
  had_lock=0
  [[ -f "$example/.terraform.lock.hcl" ]] && had_lock=1
  # Providers other than gitmoxi/gitmoxi, and modules, need `terraform init`; gitmoxi alone not.
  if grep -hoE 'source *= *"[^"]+"' "$example"/*.tf | grep -vq '"gitmoxi/gitmoxi"'; then
    tf "$example" init init -backend=false -input=false
    how="init -backend=false + validate"
  else
    how="validate"
  fi
  # Query files (`list` blocks for `terraform query`) are validated with the configuration.
  if compgen -G "$example/*.tfquery.hcl" >/dev/null; then
    tf "$example" validate validate -query
    how="$how -query"
  else
    tf "$example" validate validate
  fi
  ((had_lock)) || rm -f "$example/.terraform.lock.hcl"
  grep -q "The configuration is valid" "$WORK/$name/validate.log" || die "examples/$name: $(cat "$WORK/$name/validate.log")"
  say "examples/$name: ok ($how)"
  count=$((count + 1))
done
((count > 0)) || die "no examples found"
say "$count example(s) valid"
