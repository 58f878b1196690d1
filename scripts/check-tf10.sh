#!/usr/bin/env bash
# Proves the floor of the supported Terraform range: Terraform 1.0.3 (.tools/terraform-1.0.3,
# from `make tools`) loads the provider's schema over plugin protocol 6 and validates a
# configuration that uses it. The provider comes in through dev_overrides, which with 1.0.3 needs
# no `terraform init` as long as every provider in the configuration is overridden.
#
# Environment: PROVIDER_BINARY=/path (default target/debug/terraform-provider-gitmoxi, which
# `cargo test` and `cargo build` leave there), TERRAFORM_1_0=/path (default .tools/terraform-1.0.3/terraform).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TF10="${TERRAFORM_1_0:-$ROOT/.tools/terraform-1.0.3/terraform}"
PROVIDER_BINARY="${PROVIDER_BINARY:-$ROOT/target/debug/terraform-provider-gitmoxi}"
PYTHON="$ROOT/.venv/bin/python"
WORKSPACE="$ROOT/target/check-tf10"
PROVIDER_ADDRESS="registry.terraform.io/gitmoxi/gitmoxi"

say() { printf 'check-tf10: %s\n' "$*"; }
die() { printf 'check-tf10: FAILED: %s\n' "$*" >&2; exit 1; }

[[ -x "$TF10" ]] || die "$TF10 is missing: run 'make tools' (scripts/setup-tools.sh)"
[[ -x "$PYTHON" ]] || die "$PYTHON is missing: run 'make tools' (scripts/setup-tools.sh)"
[[ -x "$PROVIDER_BINARY" ]] || die "$PROVIDER_BINARY is missing: run 'cargo build'"

rm -rf "$WORKSPACE"
mkdir -p "$WORKSPACE"
cat >"$WORKSPACE/.terraformrc" <<EOF
provider_installation {
  dev_overrides {
    "gitmoxi/gitmoxi" = "$(dirname "$PROVIDER_BINARY")"
  }
  direct {}
}
EOF
# The endpoint is never called: neither command configures the provider against AWS.
cat >"$WORKSPACE/main.tf" <<'EOF'
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
EOF

export TF_CLI_CONFIG_FILE="$WORKSPACE/.terraformrc" TF_DATA_DIR="$WORKSPACE/.terraform"
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_INPUT=0
unset TF_CLI_ARGS TF_WORKSPACE

# Runs Terraform 1.0.3 in the workspace; on failure shows everything it printed.
tf10() {
  local name="$1"
  shift
  if ! (cd "$WORKSPACE" && "$TF10" "$@" -no-color >"$WORKSPACE/$name.stdout" 2>"$WORKSPACE/$name.stderr"); then
    cat "$WORKSPACE/$name.stdout" "$WORKSPACE/$name.stderr" >&2
    die "terraform $* exited non-zero with $("$TF10" version | sed -n 1p)"
  fi
}

say "$("$TF10" version | sed -n 1p), provider $PROVIDER_BINARY"

tf10 schema providers schema -json
summary="$("$PYTHON" - "$WORKSPACE/schema.stdout" "$PROVIDER_ADDRESS" <<'PY'
import json, sys
path, address = sys.argv[1], sys.argv[2]
with open(path) as f:
    schemas = json.load(f).get("provider_schemas", {})
provider = schemas.get(address)
if provider is None:
    sys.exit(f"providers schema -json names {sorted(schemas)}, not {address}")
resources = sorted(provider.get("resource_schemas", {}))
data_sources = sorted(provider.get("data_source_schemas", {}))
def names(items):
    return ", ".join(items) if len(items) <= 8 else f"{len(items)} of them"
print(f"resources: {names(resources) or 'none'}; data sources: {names(data_sources) or 'none'}")
PY
)" || die "the schema does not name $PROVIDER_ADDRESS"
say "providers schema -json names $PROVIDER_ADDRESS ($summary)"

tf10 validate validate
grep -q "The configuration is valid" "$WORKSPACE/validate.stdout" ||
  die "validate did not say the configuration is valid: $(cat "$WORKSPACE/validate.stdout")"
say "validate accepts a provider \"gitmoxi\" block"
say "ok"
