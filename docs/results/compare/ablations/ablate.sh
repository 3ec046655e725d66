#!/usr/bin/env bash
# How the ablations here were run (the original used a copy of the build in /tmp as DWF_CIFAR10_BIN); the main run
# folder runs/compare-cpu-small-105c201 must exist (its checkpoints are not committed).
# ablate.sh NAME KEEP SET... : a DWF-only compare run (CompareDefenses=Dwf) in runs/ablate-NAME, 1 libtorch thread,
# reusing the main run's expert checkpoints that match KEEP (a regex on the expert name, e.g. '.*' or 'pgd-.*'); the rest are trained.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
bin="${DWF_CIFAR10_BIN:-samples/Dwf.Cifar10/bin/Release/net10.0}"  # a Release build of samples/Dwf.Cifar10, ideally copied out of the tree
name="$1"; keep="$2"; shift 2
src=runs/compare-cpu-small-105c201
dst="runs/ablate-$name"
rm -rf "$dst"; mkdir -p "$dst/experts"
for f in "$src"/experts/*.ckpt; do
  stem=$(basename "$f" .ckpt)
  if [[ "$stem" =~ ^($keep)$ ]]; then cp "$src/experts/$stem".* "$dst/experts/"; fi
done
rm -f "$dst"/experts/.*.lock
sets=(); for s in "$@"; do sets+=(--set "$s"); done
dotnet "$bin/Dwf.Cifar10.dll" compare --preset cpu-small --threads 1 --data ../shared/data/cifar10/cifar-10-binary.tar.gz --run "$dst" --set EvalPerClass=70 --set CompareDefenses=Dwf "${sets[@]}"
