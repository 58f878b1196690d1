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
AWS_PY='
import sys
import boto3
endpoint, code = sys.argv[1], sys.argv[2]
session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
lam = session.client("lambda", endpoint_url=endpoint)
cw = session.client("cloudwatch", endpoint_url=endpoint)
exec(code)
'
aws_py() {
  "$PYTHON" -c "$AWS_PY" "$ENDPOINT" "$1"
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
WATCHER=
cleanup() {
  [[ -n "$WATCHER" ]] && stop_watch
  if ((EMULATOR_STARTED_HERE)); then
    printf '\n'
    scripts/emulator.sh stop || true
  fi
}
trap cleanup EXIT

# -----------------------------------------------------------------------------------------------
step "Tools"
TERRAFORM="$(pick_terraform)"
note "terraform: $TERRAFORM ($(TF_CLI_CONFIG_FILE=/dev/null "$TERRAFORM" version | sed -n 1p))"
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
step "Write a Terraform workspace: examples/quickstart, and two releases of a Python handler"
rm -rf "$WORKSPACE"
mkdir -p "$WORKSPACE"
cp examples/quickstart/main.tf "$WORKSPACE/main.tf"

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

# Two releases of the function's code: v1 and v2 differ only in the version they report.
"$PYTHON" - "$WORKSPACE" examples/quickstart/src/app.py <<'PY'
import sys, zipfile
workspace, source = sys.argv[1], sys.argv[2]
code = open(source).read()
for release in ("v1", "v2"):
    with zipfile.ZipFile(f"{workspace}/{release}.zip", "w") as z:
        info = zipfile.ZipInfo("app.py", date_time=(2020, 1, 1, 0, 0, 0))
        z.writestr(info, code.replace('VERSION = "v1"', f'VERSION = "{release}"'))
PY

export TF_CLI_CONFIG_FILE="$WORKSPACE/.terraformrc"
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_INPUT=0
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
unset TF_DATA_DIR TF_WORKSPACE TF_CLI_ARGS AWS_PROFILE AWS_SESSION_TOKEN
show_file "$WORKSPACE/.terraformrc"
note "main.tf: examples/quickstart/main.tf (CANARY 20% for 10s, alarm gitmoxi-quickstart-errors, retain_versions = 1)"

# What the alias serves, read back from AWS with boto3.
show_alias() {
  aws_py '
a = lam.get_alias(FunctionName="gitmoxi-quickstart", Name="live")
weights = a.get("RoutingConfig", {}).get("AdditionalVersionWeights", {})
extra = sum(weights.values())
line = "alias live -> version %s at %d%%" % (a["FunctionVersion"], round((1 - extra) * 100))
for v, w in weights.items():
    line += ", version %s at %d%%" % (v, round(w * 100))
print(line)
versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName="gitmoxi-quickstart")["Versions"] if v["Version"] != "$LATEST"]
print("versions kept: " + ", ".join(versions))
out = lam.invoke(FunctionName="gitmoxi-quickstart", Qualifier="live")["Payload"].read().decode()
print("invoke live: " + out)
'
}

# Samples the alias twice a second while an apply runs, printing each change of routing. Python
# is started directly in the background (not through a function, which would fork a shell around
# it), so stop_watch ends the process itself.
watch_alias() {
  "$PYTHON" -c "$AWS_PY" "$ENDPOINT" '
import time
last = None
for _ in range(120):
    try:
        a = lam.get_alias(FunctionName="gitmoxi-quickstart", Name="live")
    except Exception:
        time.sleep(0.5)
        continue
    weights = a.get("RoutingConfig", {}).get("AdditionalVersionWeights", {})
    now = (a["FunctionVersion"], tuple(sorted(weights.items())))
    if now != last:
        extra = sum(weights.values())
        desc = "version %s at %d%%" % (a["FunctionVersion"], round((1 - extra) * 100))
        desc += "".join(", version %s at %d%%" % (v, round(w * 100)) for v, w in weights.items())
        print("  [watch] alias live: " + desc, flush=True)
        last = now
    time.sleep(0.5)
' &
  WATCHER=$!
}
stop_watch() {
  kill "$WATCHER" 2>/dev/null || true
  wait "$WATCHER" 2>/dev/null || true
  WATCHER=
}

set_alarm() {
  aws_py "cw.set_alarm_state(AlarmName='gitmoxi-quickstart-errors', StateValue='$1', StateReason='demo')"
}

TF_VARS=(-var "endpoint=$ENDPOINT")

# -----------------------------------------------------------------------------------------------
step "Create the CloudWatch alarm that guards releases (as hashicorp/aws would)"
aws_py '
cw.put_metric_alarm(AlarmName="gitmoxi-quickstart-errors", Namespace="AWS/Lambda", MetricName="Errors",
    Dimensions=[{"Name": "FunctionName", "Value": "gitmoxi-quickstart"}], Statistic="Sum", Period=60,
    EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold")
print("alarm gitmoxi-quickstart-errors created")
'
set_alarm OK

# -----------------------------------------------------------------------------------------------
step "Release v1: create the function"
tf apply -auto-approve -input=false "${TF_VARS[@]}" -var package_file=v1.zip
show_alias

# -----------------------------------------------------------------------------------------------
step "Release v2: new code, rolled out as a CANARY (20% for 10s, then 100%)"
tf plan -input=false "${TF_VARS[@]}" -var package_file=v2.zip
watch_alias
tf apply -auto-approve -input=false "${TF_VARS[@]}" -var package_file=v2.zip
stop_watch
show_alias

# -----------------------------------------------------------------------------------------------
step "Release v3: a configuration change; the alarm fires during the canary and rolls it back"
note "(the alarm goes to ALARM 5 seconds into the apply, while 20% of the traffic is on the new version)"
watch_alias
(
  sleep 5
  set_alarm ALARM
  echo "  [alarm] gitmoxi-quickstart-errors -> ALARM"
) &
ALARM_SETTER=$!
may_fail tf apply -auto-approve -input=false "${TF_VARS[@]}" -var package_file=v2.zip -var greeting=hola
wait "$ALARM_SETTER" || true
stop_watch
show_alias
set_alarm OK

# -----------------------------------------------------------------------------------------------
step "The state still holds v2, so the next plan shows the rejected change again (exit code 2)"
may_fail tf plan -input=false -detailed-exitcode "${TF_VARS[@]}" -var package_file=v2.zip -var greeting=hola
tf output

# -----------------------------------------------------------------------------------------------
step "Clean up: terraform destroy"
tf destroy -auto-approve -input=false "${TF_VARS[@]}" -var package_file=v2.zip

# -----------------------------------------------------------------------------------------------
printf '\n%sDemo finished.%s Workspace kept in %s; emulator log in .tools/emulator.log.\n' \
  "$BOLD" "$RESET" "${WORKSPACE#"$ROOT"/}"
