#!/usr/bin/env bash
# One chunk of the standard cross-check: fra31/auto-attack's standard version (the oracle, run from .oracle/) and this
# library's aa-standard on the same saved model and the same test images, side by side, one thread each.
#   bash docs/results/crosscheck/run.sh <label> <model.bin with manifest> <Linf|L2> <offset> <n>
# Writes docs/results/crosscheck/<label>-<norm>/chunk-<offset>-<n>.{reference,ours}.json and .log; a chunk whose two
# files exist is skipped, so an interrupted table is finished by running the same commands again.
# Needs: Release builds of tests/Dwf.Robustness.Benchmarks (DWF_BENCH=its output folder, default the in-tree build),
# /usr/bin/python3 with Debian's python3-torch, the oracle export (python/README.md).
set -euo pipefail
label=$1 model=$2 norm=$3 offset=$4 n=$5
root=$(cd "$(dirname "$0")/../../.." && pwd)
bench=${DWF_BENCH:-$root/tests/Dwf.Robustness.Benchmarks/bin/Release/net10.0}
data=${DWF_CIFAR10:-$root/../shared/data/cifar10/cifar-10-binary.tar.gz}
out=$root/docs/results/crosscheck/$label-$norm
mkdir -p "$out"
base=$out/chunk-$offset-$n
if [[ -s $base.reference.json && -s $base.ours.json ]]; then
  echo "$base: done earlier"
  exit 0
fi
{
  echo "# $(date -u +%FT%TZ) commit $(git -C "$root" rev-parse --short HEAD), $(lscpu | sed -n 's/^Model name: *//p'), family $(lscpu | sed -n 's/^CPU family: *//p')"
  echo "# model $model, $norm, test images [$offset, $((offset + n)))"
} > "$base.log"
DWF_THREADS=1 dotnet "$bench/Dwf.Robustness.Benchmarks.dll" crosscheck-standard "$model" "$norm" "$offset" "$n" "$data" "$base.ours.tmp" >> "$base.log" 2>&1 &
ours=$!
/usr/bin/python3 "$root/python/crosscheck_autoattack.py" --model "$model" --norm "$norm" --offset "$offset" --n "$n" \
  --standard-only --threads 1 --data "$data" --json "$base.reference.tmp" >> "$base.log" 2>&1
wait $ours
mv "$base.ours.tmp" "$base.ours.json"
mv "$base.reference.tmp" "$base.reference.json"
echo "$base: done"
