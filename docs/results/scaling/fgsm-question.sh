#!/usr/bin/env bash
# The FGSM side question of issue 31: one plain-FGSM expert (the paper's recipe: ε drawn per batch from 0.01…0.09,
# no random start) trained 4 and 30 epochs, evaluated with the paper plan on the study's untouched test images.
#   bash docs/results/scaling/fgsm-question.sh   (output: runs/fgsm-question/epochs-4 and epochs-30)
set -euo pipefail
cd "$(dirname "$0")/../../.."  # the repository root; needs a Release build of samples/Dwf.Cifar10
bin=samples/Dwf.Cifar10/bin/Release/net10.0/Dwf.Cifar10.dll
data=../shared/data/cifar10/cifar-10-binary.tar.gz
for e in 4 30; do
  warm=$(python3 -c "print(0.15*$e)")
  args=(--preset cpu-small --data "$data" --run "runs/fgsm-question/epochs-$e" --threads 1 --expert-epochs "$e"
        --set CleanExperts=0 --set PgdExperts=0 --set FgsmExperts=1 --set Controls=false --set EvalAllExperts=true
        --set EvalPerClass=100 --set EvalSkipPerClass=900 --set ExpertWarmupEpochs="$warm")
  dotnet "$bin" pretrain "${args[@]}"
  dotnet "$bin" evaluate "${args[@]}"
done
