#!/usr/bin/env bash
# Runs the `terraform test` suite of every module under modules/ (part of `make test`) with the
# provider built by cargo coming in through dev_overrides: `terraform init` then `terraform test`
# in the module's folder. The suites plan only; planning a create makes no AWS call, so no
# emulator is needed. Each module's .terraform data and logs go under target/test-modules/.
#
# Then one check `terraform test` cannot make (it hides the text of an expected failure): the
# plan of a repository whose `ref.file` climbs out of it fails with a message naming the input
# file and the offending path.
#
# Environment: PROVIDER_BINARY=/path (default target/debug/terraform-provider-gitmoxi),
# TERRAFORM=/path (default .venv/bin/terraform, Terraform 1.15.5; the modules need 1.8+).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TERRAFORM="${TERRAFORM:-$ROOT/.venv/bin/terraform}"
PROVIDER_BINARY="${PROVIDER_BINARY:-$ROOT/target/debug/terraform-provider-gitmoxi}"
WORK="$ROOT/target/test-modules"

say() { printf 'test-modules: %s\n' "$*"; }
die() { printf 'test-modules: FAILED: %s\n' "$*" >&2; exit 1; }

[[ -x "$TERRAFORM" ]] || die "$TERRAFORM is missing: run 'make tools'"
[[ -x "$PROVIDER_BINARY" ]] || die "$PROVIDER_BINARY is missing: run 'cargo build'"
PROVIDER_BINARY="$(cd "$(dirname "$PROVIDER_BINARY")" && pwd)/$(basename "$PROVIDER_BINARY")"

rm -rf "$WORK"
mkdir -p "$WORK"
cat >"$WORK/.terraformrc" <<EOF
provider_installation {
  dev_overrides {
    "gitmoxi/gitmoxi" = "$(dirname "$PROVIDER_BINARY")"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE="$WORK/.terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_INPUT=0
unset TF_CLI_ARGS TF_WORKSPACE TF_DATA_DIR
# The suites never reach AWS, but the provider reads the default credential chain when it
# starts; keep the developer's own configuration out of it.
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_ENDPOINT_URL

# Runs Terraform in a folder with its data dir and log under $WORK/<name>; on failure shows
# what it printed. Returns Terraform's exit status.
tf() {
  local dir="$1" name="$2" log="$WORK/$2/$3.log"
  shift 3
  mkdir -p "$WORK/$name"
  (cd "$dir" && TF_DATA_DIR="$WORK/$name/.terraform" "$TERRAFORM" "$@" -no-color >"$log" 2>&1)
}

say "$("$TERRAFORM" version | sed -n 1p), provider $PROVIDER_BINARY"
count=0
for module in "$ROOT"/modules/*/; do
  module="${module%/}"
  name="${module##*/}"
  compgen -G "$module/tests/*.tftest.hcl" >/dev/null || { say "modules/$name: no tests"; continue; }
  tf "$module" "$name" init init -input=false || { cat "$WORK/$name/init.log" >&2; die "terraform init in modules/$name"; }
  if ! tf "$module" "$name" test test; then
    cat "$WORK/$name/test.log" >&2
    die "terraform test in modules/$name"
  fi
  say "modules/$name: $(grep -E '^(Success|Failure)!' "$WORK/$name/test.log")"
  count=$((count + 1))
done
((count > 0)) || die "no module has tests"

# The refusal of a ref.file that climbs out of the repository, word for word.
fixtures="$ROOT/modules/gitmoxi-repo/tests/fixtures/climb/repo"
root="$WORK/climb"
mkdir -p "$root"
cat >"$root/main.tf" <<EOF
terraform {
  required_providers {
    gitmoxi = {
      source = "gitmoxi/gitmoxi"
    }
  }
}

provider "gitmoxi" {
  region = "us-east-1"
  endpoints {
    lambda     = "http://127.0.0.1:9"
    cloudwatch = "http://127.0.0.1:9"
    sts        = "http://127.0.0.1:9"
  }
}

module "lambdas" {
  source    = "$ROOT/modules/gitmoxi-repo"
  path      = "$fixtures/up"
  repo_root = "$fixtures"
}
EOF
tf "$root" climb init init -input=false || { cat "$WORK/climb/init.log" >&2; die "terraform init of the climbing repository"; }
if tf "$root" climb plan plan; then
  die "the plan of a repository whose ref.file climbs out of it succeeded"
fi
plan="$(tr -s ' \n' ' ' <"$WORK/climb/plan.log")"
for expected in "Resource precondition failed" "$fixtures/up/api_lambdainput.json" \
  'ref.file paths outside the repository: "../outside.json", "shared/../../outside.json"'; do
  [[ "$plan" == *"$expected"* ]] || { cat "$WORK/climb/plan.log" >&2; die "the refusal does not say: $expected"; }
done
say "a ref.file climbing out of the repository: refused, naming the file and the paths"
say "ok"
