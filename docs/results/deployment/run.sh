#!/usr/bin/env bash
# The deployment measurements of docs/deployment.md, from the repository root, for a saved model (default: the
# scaling study's 9-expert DWF mixture). Run with nothing else busy; the numbers depend on the CPU (lscpu).
#   bash docs/results/deployment/run.sh [model.bin] [test.png]
set -euo pipefail
model=${1:-runs/scaling/budget-4x/replicate-0/joint/dwf.bin}
png=${2:?a 32×32 PNG to send}
bench=tests/Dwf.Robustness.Benchmarks/bin/Release/net10.0/Dwf.Robustness.Benchmarks.dll
dotnet build tests/Dwf.Robustness.Benchmarks -c Release > /dev/null
dotnet "$bench" onnx-export "$model" /tmp/dwf.onnx
dotnet publish samples/Serve -c Release -r linux-x64 --self-contained false -o /tmp/pub-serve > /dev/null
dotnet publish samples/QuickStart -c Release -r linux-x64 --self-contained false -o /tmp/pub-qs > /dev/null
echo "published: Serve (ONNX Runtime) $(du -sb /tmp/pub-serve | cut -f1) bytes, QuickStart (libtorch) $(du -sb /tmp/pub-qs | cut -f1) bytes"
for i in 1 2 3; do
  start=$(date +%s.%N)
  (cd /tmp/pub-serve && ASPNETCORE_URLS=http://127.0.0.1:5123 ./Serve --Serve:Model=/tmp/dwf.onnx > /tmp/serve.log 2>&1 &)
  until curl -sf http://127.0.0.1:5123/health > /dev/null; do sleep 0.02; done
  echo "cold start to /health: $(python3 -c "print(round($(date +%s.%N) - $start, 2))") s"
  [[ $i -lt 3 ]] && { pkill -f "Serve --Serve:Model"; sleep 1; }
done
python3 docs/results/deployment/load_test.py http://127.0.0.1:5123 "$png" 2000 8
pkill -f "Serve --Serve:Model"
dotnet "$bench" onnx-parity "$model" 1000 100 1000
