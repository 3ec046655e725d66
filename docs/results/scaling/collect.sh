#!/usr/bin/env bash
# Copies a finished (or partial) replicate of the scaling study into docs/results/scaling, without checkpoints or weights.
#   bash docs/results/scaling/collect.sh RUNS BUDGET REPLICATE COMMIT
# RUNS: the folder run.sh wrote to (RUNS there); COMMIT: the commit whose build ran it. Adds HOST.md (CPU from lscpu, now).
set -euo pipefail
runs=${1:?runs folder}; budget=${2:?budget}; replicate=${3:?replicate}; commit=${4:?commit of the build that ran it}
src="$runs/budget-$budget/replicate-$replicate"
dst="docs/results/scaling/budget-$budget/replicate-$replicate"
[ -d "$src" ] || { echo "no replicate at $src" >&2; exit 2; }
mkdir -p "$dst"
(cd "$src" && find . -type f ! -name '*.ckpt' ! -name '*.bin' ! -name '*.lock' ! -name '*.state.json' -print0) |
  while IFS= read -r -d '' f; do mkdir -p "$dst/$(dirname "$f")"; cp "$src/$f" "$dst/$f"; done
cp "$src.stdout.log" "$dst/stdout.log" 2>/dev/null || true
cp "$src.stderr.log" "$dst/stderr.log" 2>/dev/null || true
{
  echo "# Replicate $replicate, budget $budget"
  echo
  echo "- Build: commit $commit (\`dotnet build samples/Dwf.Cifar10 -c Release\`, run from a copy of its output)."
  echo "- Command: \`bash docs/results/scaling/run.sh $budget $replicate <threads>\`; the exact command line of each start or resume is the first line of each session in log.txt."
  echo "- Collected: $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo "- CPU at collection (\`lscpu\`): $(lscpu | sed -n 's/^Model name: *//p'), family $(lscpu | sed -n 's/^CPU family: *//p'), model $(lscpu | sed -n 's/^Model: *//p'), $(grep -o -w 'avx512f' /proc/cpuinfo | head -1 | sed 's/avx512f/AVX-512/')$(grep -q -w avx512f /proc/cpuinfo || echo AVX2 only)."
  echo "- Finished: $( [ -f "$src/results-aa-rapid.md" ] || [ -f "$src/results.md" ] && echo yes || echo 'no (partial: resumable from its checkpoints, which are not committed)')."
} > "$dst/HOST.md"
echo "$dst"
