#!/usr/bin/env bash
# Alternates TorchSharp (A) and PyTorch (B) runs of every workload, A B A B …, and prints each side's median
# images/s and the ratio A/B. Usage: tests/Dwf.Robustness.Benchmarks/compare.sh [rounds=3] [runs=5] [workloads…]
# Environment: DWF_THREADS (default: all cores), DWF_CIFAR10 (archive for load-cifar10), DWF_ALLOCATOR=default
# (TorchSharp without CpuAllocator.Tune), DWF_PY_ALLOCATOR=tuned (PyTorch with the same glibc settings).
# Every single run's result goes to artifacts/compare-runs.log; the diagnostics both programs print on stderr too.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rounds="${1:-3}"; runs="${2:-5}"; shift $(( $# > 2 ? 2 : $# )) || true
data="${DWF_CIFAR10:-$root/../shared/data/cifar10/cifar-10-binary.tar.gz}"
bash "$here/reference/setup.sh"
dotnet build -c Release "$here" >/dev/null
dll="$here/bin/Release/net10.0/Dwf.Robustness.Benchmarks.dll"
workloads=("$@"); [ ${#workloads[@]} -gt 0 ] || read -r -a workloads <<<"$(dotnet "$dll" list)"
runs_log="$root/artifacts/compare-runs.log"; mkdir -p "$root/artifacts"
echo "# $(date -u +%FT%TZ) rounds=$rounds runs=$runs DWF_ALLOCATOR=${DWF_ALLOCATOR:-tuned} DWF_PY_ALLOCATOR=${DWF_PY_ALLOCATOR:-default}" >>"$runs_log"
printf '%-24s %12s %12s %8s\n' workload torchsharp pytorch ratio
for w in "${workloads[@]}"; do
  a=(); b=()
  for ((r = 0; r < rounds; r++)); do
    a+=("$(dotnet "$dll" run "$w" "$runs" "$data" 2>>"$runs_log" | sed -n 's/^RESULT [^ ]* //p')")
    b+=("$(/usr/bin/python3 "$here/reference/bench.py" "$w" "$runs" "$data" 2>>"$runs_log" | sed -n 's/^RESULT [^ ]* //p')")
    echo "$w round $r: torchsharp ${a[-1]} pytorch ${b[-1]}" >>"$runs_log"
  done
  median='{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'
  ma=$(printf '%s\n' "${a[@]}" | sort -g | awk "$median")
  mb=$(printf '%s\n' "${b[@]}" | sort -g | awk "$median")
  printf '%-24s %12.1f %12.1f %8.2f\n' "$w" "$ma" "$mb" "$(awk -v a="$ma" -v b="$mb" 'BEGIN {print a / b}')"
done
