#!/usr/bin/env bash
# Local AWS emulator (ministack) for the demo and for trying the provider by hand.
#   scripts/emulator.sh start     start on a free loopback port, wait until it answers
#   scripts/emulator.sh stop      stop it
#   scripts/emulator.sh status    say whether it runs, and where
#   scripts/emulator.sh endpoint  print its URL (http://127.0.0.1:PORT)
# State lives in .tools/: emulator.pid, emulator.port, emulator.log, emulator.tmp/ (Lambda code).
# The end-to-end tests do not use this script: each test starts its own emulator.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
MINISTACK="$ROOT/.venv/bin/ministack"
PYTHON="$ROOT/.venv/bin/python"
PID_FILE="$TOOLS/emulator.pid"
PORT_FILE="$TOOLS/emulator.port"
LOG_FILE="$TOOLS/emulator.log"
TMP_DIR="$TOOLS/emulator.tmp"
READY_TIMEOUT_SECONDS="${EMULATOR_READY_TIMEOUT:-30}"

say() { printf 'emulator: %s\n' "$*"; }
die() { printf 'emulator: error: %s\n' "$*" >&2; exit 1; }

running_pid() {
  local pid
  [[ -f "$PID_FILE" ]] || return 1
  pid="$(cat "$PID_FILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

endpoint() { echo "http://127.0.0.1:$(cat "$PORT_FILE")"; }

# Exit 0 once GET /_ministack/ready answers 200 (ministack's readiness URL: HTTP is up and its
# ready.d scripts, none here, have run).
probe_ready() {
  "$PYTHON" - "$1" <<'PY'
import sys, urllib.request
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/_ministack/ready", timeout=1) as r:
        sys.exit(0 if r.status == 200 else 1)
except Exception:
    sys.exit(1)
PY
}

start() {
  local pid port started waited
  if pid="$(running_pid)"; then
    say "already running on $(endpoint) (pid $pid)"
    return
  fi
  [[ -x "$MINISTACK" ]] || die "$MINISTACK is missing: run 'make tools' (scripts/setup-tools.sh) first"
  mkdir -p "$TOOLS"
  rm -rf "$TMP_DIR" && mkdir -p "$TMP_DIR"
  port="$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  started="$(date +%s%N)"
  # setsid: its own process group, so stop also ends the Lambda workers it spawns.
  GATEWAY_PORT="$port" BIND_HOST=127.0.0.1 TMPDIR="$TMP_DIR" \
    setsid "$MINISTACK" >"$LOG_FILE" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_FILE"
  echo "$port" >"$PORT_FILE"
  until probe_ready "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$LOG_FILE" >&2 || true
      rm -f "$PID_FILE" "$PORT_FILE"
      die "ministack exited during startup (log above, full log in $LOG_FILE)"
    fi
    waited=$((($(date +%s%N) - started) / 1000000))
    if ((waited > READY_TIMEOUT_SECONDS * 1000)); then
      stop >/dev/null
      die "ministack did not answer on port $port within ${READY_TIMEOUT_SECONDS}s (log: $LOG_FILE)"
    fi
    sleep 0.05
  done
  waited=$((($(date +%s%N) - started) / 1000000))
  say "ministack ready on $(endpoint) in ${waited} ms (pid $pid, log $LOG_FILE)"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    say "not running"
    rm -f "$PID_FILE" "$PORT_FILE"
    return
  fi
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE" "$PORT_FILE"
  rm -rf "$TMP_DIR"
  say "stopped (pid $pid)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status)
    if pid="$(running_pid)"; then say "running on $(endpoint) (pid $pid)"; else say "not running"; exit 1; fi ;;
  endpoint)
    running_pid >/dev/null || die "not running: scripts/emulator.sh start"
    endpoint ;;
  *) echo "usage: $0 start|stop|status|endpoint" >&2; exit 2 ;;
esac
