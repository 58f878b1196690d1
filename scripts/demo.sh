#!/usr/bin/env bash
# `make demo`: the provider driven by the real Terraform CLI against a local AWS emulator.
# Needs the tools (`make tools`) and a built provider (`cargo build`); `make demo` does both.
#
# Each stage is a `step "title"` followed by commands; `tf ARGS...` runs Terraform in the demo
# workspace and shows the command, its output and how long it took; `aws_py CODE` runs Python with
# boto3 clients (lam, cw) pointed at the emulator, to show what AWS holds. Add stages in order.
#
# Environment:
#   TERRAFORM=/path/to/terraform   another Terraform or OpenTofu (default: .venv/bin/terraform,
#                                  Terraform 1.15.5; else terraform or tofu on PATH)
#   PROVIDER_BINARY=/path          the provider to use (default: target/debug/terraform-provider-gitmoxi)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"

PROVIDER_BINARY="${PROVIDER_BINARY:-$ROOT/target/debug/terraform-provider-gitmoxi}"
WORKSPACE="$ROOT/target/demo"
PYTHON="$ROOT/.venv/bin/python"

if [[ -t 1 ]]; then
  BOLD=$'\033[1m' DIM=$'\033[2m' GREEN=$'\033[32m' RED=$'\033[31m' RESET=$'\033[0m'
  COLOR_FLAG=()
else
  BOLD="" DIM="" GREEN="" RED="" RESET=""
  COLOR_FLAG=(-no-color)
fi

STEP_NUMBER=0
step() {
  STEP_NUMBER=$((STEP_NUMBER + 1))
  printf '\n%s== %d. %s ==%s\n' "$BOLD" "$STEP_NUMBER" "$1" "$RESET"
}
note() { printf '%s\n' "$*"; }
fail() {
  printf '\n%sdemo failed: %s%s\n' "$RED" "$*" "$RESET" >&2
  exit 1
}

# Runs a command, echoing it first and its exit status and duration after. Fails the demo on a
# non-zero exit unless the command line is prefixed with `may_fail`.
ALLOW_FAILURE=0
may_fail() { ALLOW_FAILURE=1 "$@"; }
run() {
  local started rc elapsed
  printf '%s$ %s%s\n' "$BOLD" "$*" "$RESET"
  started="$(date +%s%N)"
  set +e
  "$@"
  rc=$?
  set -e
  elapsed="$((($(date +%s%N) - started) / 1000000))"
  if ((rc == 0)); then
    printf '%s-> ok (%d.%03d s)%s\n' "$GREEN" $((elapsed / 1000)) $((elapsed % 1000)) "$RESET"
  else
    printf '%s-> exit %d (%d.%03d s)%s\n' "$RED" "$rc" $((elapsed / 1000)) $((elapsed % 1000)) "$RESET"
    ((ALLOW_FAILURE)) || fail "'$*' exited with $rc"
  fi
  return 0
}

# Terraform in the demo workspace. The command shown is the one a user would type.
tf() {
  printf '%s(in %s)%s\n' "$DIM" "${WORKSPACE#"$ROOT"/}" "$RESET"
  run terraform "$@"
}
terraform() { (cd "$WORKSPACE" && "$TERRAFORM" "$@" "${COLOR_FLAG[@]}"); }

# Python with boto3 clients on the emulator: `lam` (Lambda), `cw` (CloudWatch).
aws_py() {
  "$PYTHON" - "$ENDPOINT" "$1" <<'PY'
import sys
import boto3
endpoint, code = sys.argv[1], sys.argv[2]
session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
lam = session.client("lambda", endpoint_url=endpoint)
cw = session.client("cloudwatch", endpoint_url=endpoint)
exec(code)
PY
}

show_file() {
  printf '%s--- %s ---%s\n' "$DIM" "${1#"$WORKSPACE"/}" "$RESET"
  cat "$1"
}

pick_terraform() {
  if [[ -n "${TERRAFORM:-}" ]]; then
    echo "$TERRAFORM"
  elif [[ -x "$ROOT/.venv/bin/terraform" ]]; then
    echo "$ROOT/.venv/bin/terraform"
  elif command -v terraform >/dev/null 2>&1; then
    command -v terraform
  elif command -v tofu >/dev/null 2>&1; then
    command -v tofu
  else
    fail "no Terraform found: run 'make tools' (or set TERRAFORM=/path/to/terraform)"
  fi
}

EMULATOR_STARTED_HERE=0
cleanup() {
  if ((EMULATOR_STARTED_HERE)); then
    printf '\n'
    scripts/emulator.sh stop || true
  fi
}
trap cleanup EXIT

# -----------------------------------------------------------------------------------------------
step "Tools"
TERRAFORM="$(pick_terraform)"
note "terraform: $TERRAFORM ($(TF_CLI_CONFIG_FILE=/dev/null "$TERRAFORM" version | head -n1))"
[[ -x "$PROVIDER_BINARY" ]] || fail "$PROVIDER_BINARY is missing: run 'cargo build' (make demo does)"
note "provider:  $PROVIDER_BINARY"

# -----------------------------------------------------------------------------------------------
step "Start a local AWS emulator (ministack)"
if scripts/emulator.sh status >/dev/null 2>&1; then
  note "reusing the emulator already running (scripts/emulator.sh stop ends it)"
else
  EMULATOR_STARTED_HERE=1
  scripts/emulator.sh start
fi
ENDPOINT="$(scripts/emulator.sh endpoint)"
note "Lambda, CloudWatch and STS all answer on $ENDPOINT"

# -----------------------------------------------------------------------------------------------
step "Write a Terraform workspace"
rm -rf "$WORKSPACE"
mkdir -p "$WORKSPACE"

# dev_overrides: Terraform runs the provider binary straight from cargo's output folder, with no
# registry and no `terraform init`.
cat >"$WORKSPACE/.terraformrc" <<EOF
provider_installation {
  dev_overrides {
    "gitmoxi/gitmoxi" = "$(dirname "$PROVIDER_BINARY")"
  }
  direct {}
}
EOF

cat >"$WORKSPACE/main.tf" <<EOF
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
    lambda     = "$ENDPOINT"
    cloudwatch = "$ENDPOINT"
    sts        = "$ENDPOINT"
  }
}
EOF

export TF_CLI_CONFIG_FILE="$WORKSPACE/.terraformrc"
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_INPUT=0
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
unset TF_DATA_DIR TF_WORKSPACE TF_CLI_ARGS AWS_PROFILE AWS_SESSION_TOKEN
show_file "$WORKSPACE/.terraformrc"
show_file "$WORKSPACE/main.tf"

# -----------------------------------------------------------------------------------------------
step "terraform validate: Terraform loads the provider's schema and checks the configuration"
tf validate

# -----------------------------------------------------------------------------------------------
step "terraform plan"
tf plan -input=false

# -----------------------------------------------------------------------------------------------
step "What AWS holds"
aws_py '
functions = lam.list_functions()["Functions"]
print(f"Lambda functions: {len(functions)}")
for f in functions:
    print("  %s (%s)" % (f["FunctionName"], f.get("Runtime")))
'

# -----------------------------------------------------------------------------------------------
printf '\n%sDemo finished.%s Workspace kept in %s; emulator log in .tools/emulator.log.\n' \
  "$BOLD" "$RESET" "${WORKSPACE#"$ROOT"/}"
