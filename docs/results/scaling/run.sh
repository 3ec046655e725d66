#!/usr/bin/env bash
# One replicate of the scaling study (issue 31; claims and design: PREREGISTRATION.md).
#   bash docs/results/scaling/run.sh BUDGET REPLICATE [THREADS]
# BUDGET: 1x (cpu-small) or 4x (four times the expert and joint epochs). REPLICATE: 0, 1, 2, …
# THREADS: libtorch threads (default 2; two replicates side by side with 1 each gave more throughput, docs/results/compare/ablations).
# Runs from the repository root with a Release build (dotnet build samples/Dwf.Cifar10 -c Release), or with DWF_BIN
# pointing at a copy of that build's output (so the tree can change while it runs). Output: $RUNS/budget-BUDGET/replicate-R
# (RUNS defaults to runs/scaling), its stdout and stderr beside it. Resumable: the same command continues an interrupted run.
set -euo pipefail
budget=${1:?budget: 1x or 4x}; replicate=${2:?replicate index}; threads=${3:-2}
bin=${DWF_BIN:-samples/Dwf.Cifar10/bin/Release/net10.0}
runs=${RUNS:-runs/scaling}
data=${DWF_CIFAR10:-../shared/data/cifar10/cifar-10-binary.tar.gz}
case "$budget" in
  1x) epochs=() ;;
  4x) epochs=(--expert-epochs 16 --joint-epochs 8 --set ExpertWarmupEpochs=2.4 --set JointWarmupEpochs=1) ;;
  *) echo "budget must be 1x or 4x; got '$budget'" >&2; exit 2 ;;
esac
mkdir -p "$runs/budget-$budget"
out="$runs/budget-$budget/replicate-$replicate"
dotnet "$bin/Dwf.Cifar10.dll" reproduce --preset cpu-small --data "$data" --run "$runs/budget-$budget" --replicate "$replicate" --threads "$threads" \
  "${epochs[@]}" --set WideControl=true --set ControlValidationPoints=10 \
  --set EvalPerClass=100 --set EvalSkipPerClass=900 --set EvalRapidOnSurvivors=true \
  >> "$out.stdout.log" 2>> "$out.stderr.log"
