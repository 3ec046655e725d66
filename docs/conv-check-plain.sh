#!/usr/bin/env bash
# The plain half of docs/reliability.md's convolution table: runs `conv-check plain REPEATS` and, each time a case
# aborts the process (libtorch's kernel corrupts the heap), records that row as aborted and continues after it.
# Usage: bash docs/conv-check-plain.sh [repeats=1] > table.md   (from the repository root, after a Release build)
set -u
repeats="${1:-1}"
bin=tests/Dwf.Robustness.Benchmarks/bin/Release/net10.0/Dwf.Robustness.Benchmarks.dll
rows=0
while :; do
  out="$(dotnet "$bin" conv-check plain "$repeats" "$rows" 2>/dev/null)"; rc=$?
  body="$(printf '%s\n' "$out" | grep '^| [0-9]')"
  [ "$rows" -eq 0 ] && printf '%s\n' "$out" | grep -v '^| [0-9]' | grep -v 'rows (' | head -3
  [ -n "$body" ] && printf '%s\n' "$body"
  rows=$((rows + $(printf '%s\n' "$body" | grep -c '^| [0-9]')))
  if [ "$rc" -eq 0 ]; then printf '%s\n' "$out" | tail -1; break; fi
  echo "| (row $((rows + 1)): the process aborted, exit $rc) |"
  rows=$((rows + 1))
done
