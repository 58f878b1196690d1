#!/usr/bin/env bash
# `make bench`: builds the provider as it ships (scripts/build-release.sh), then runs bench/run.py,
# which starts its own ministack behind a counting proxy (both from scripts/awslocal) and prints
# one table, gitmoxi vs hashicorp/aws 3.39.0 (docs/benchmarks.md explains each row). Needs the
# tools (`make tools`; `make bench` does it).
# Environment: BENCH_* knobs (repetitions, sizes) are listed at the top of bench/run.py.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CARGO="${CARGO:-cargo}"

load="$(cut -d' ' -f1 /proc/loadavg)"
if awk -v l="$load" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
  printf 'bench: warning: load average %s on %s CPUs; figures taken now are taken under load\n' "$load" "$(nproc)" >&2
fi

CARGO="$CARGO" "$ROOT/scripts/build-release.sh"
exec "$ROOT/.venv/bin/python" "$ROOT/bench/run.py"
