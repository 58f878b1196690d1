#!/usr/bin/env bash
# Builds the provider binary as it ships: what `make package` zips and `make bench` measures.
#
# On top of the release profile (size-optimised, one codegen unit, fat LTO) it links:
#   - a position-dependent executable (-C relocation-model=static): a PIE carries ~70,000 dynamic
#     relocations (vtables, string tables, panic locations), which the loader reads and applies at
#     every start, copying ~1 MiB of read-only data into private pages. Terraform and the
#     hashicorp providers are position-dependent Go executables too.
#   - the functions a plan and an apply run first and together (release/hot-code.txt, written by
#     `make hot-code`), so the pages a plan touches are a few contiguous MiB instead of ~150 64-KiB
#     windows spread through the whole text. Needs rust-lld, the default linker of
#     x86_64-unknown-linux-gnu from Rust 1.90; with another toolchain the order is left out and the
#     binary works the same, with a larger peak RSS.
#
# A name in the order that this build no longer has (renamed or changed code) is skipped: the
# function is then placed with the cold code, and `make hot-code` brings the order up to date.
#
# Environment:
#   KEEP_SYMBOLS=1   keep the symbol table (what `make hot-code` profiles)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME="terraform-provider-gitmoxi"
ORDER="$ROOT/release/hot-code.txt"
CARGO="${CARGO:-cargo}"
RUSTC="${RUSTC:-rustc}"

flags=(-C relocation-model=static)
[[ "${KEEP_SYMBOLS:-}" == 1 ]] && flags+=(-C strip=none)

# rustc's version and host: the order needs rust-lld (x86_64 Linux, Rust >= 1.90).
read -r minor host < <("$RUSTC" -vV | awk '/^release:/ { split($2, v, "."); m = v[2] } /^host:/ { h = $2 }
                                          END { print m, h }')
if [[ "$host" != x86_64-unknown-linux-gnu || "$minor" -lt 90 ]]; then
  printf 'build-release: %s, rustc 1.%s: position-dependent, no hot-code order (it needs rust-lld: x86_64 Linux, Rust >= 1.90)\n' \
    "$host" "$minor"
elif [[ ! -f "$ORDER" ]]; then
  printf 'build-release: position-dependent, no hot-code order (%s is missing: make hot-code)\n' "${ORDER#"$ROOT/"}"
else
  flags+=(-C "link-arg=-Wl,--symbol-ordering-file=$ORDER" -C link-arg=-Wl,--no-warn-symbol-ordering)
  printf 'build-release: position-dependent, hot code first (%s names in %s)\n' \
    "$(grep -cv '^#' "$ORDER")" "${ORDER#"$ROOT/"}"
fi

cd "$ROOT"
"$CARGO" rustc --release --quiet --bin "$NAME" -- "${flags[@]}"
