#!/usr/bin/env bash
# Local AWS emulator (ministack) for the demo and for trying the provider by hand.
#   scripts/emulator.sh start     start on a free loopback port, wait until it answers
#   scripts/emulator.sh stop      stop it (its whole process group: Lambda workers too)
#   scripts/emulator.sh status    say whether it runs, and where (exit 1 when it does not)
#   scripts/emulator.sh endpoint  print its URL (http://127.0.0.1:PORT)
# State lives in .tools/: emulator.pid, emulator.port, emulator.log, emulator.tmp/ (Lambda code).
# EMULATOR_READY_TIMEOUT (seconds, default 30) bounds the start.
#
# A wrapper of the project's one launcher, scripts/awslocal (Python, standard library): the
# benchmark and the end-to-end tests start their emulators with it too (`awslocal serve`, one per
# test), and it holds the counting, fault-injecting proxy (`awslocal proxy`).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="$ROOT/.venv/bin/python"

case "${1:-}" in
  start | stop | status | endpoint) ;;
  *) echo "usage: $0 start|stop|status|endpoint" >&2; exit 2 ;;
esac
[[ -x "$PYTHON" ]] || { echo "emulator: error: $PYTHON is missing: run 'make tools' (scripts/setup-tools.sh) first" >&2; exit 1; }
exec "$PYTHON" "$ROOT/scripts/awslocal" "$1"
