#!/usr/bin/env bash
# Installs the PyTorch reference stack from Debian's packages (PyPI is not reachable on these machines):
# python3-torch (torch 1.13) and OpenBLAS (Debian's torch otherwise uses the slow reference BLAS).
set -euo pipefail
if python3 -c "import torch" 2>/dev/null && /usr/bin/python3 -c "import torch" 2>/dev/null; then exit 0; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq python3-torch python3-numpy libopenblas0-openmp >/dev/null
/usr/bin/python3 -c "import torch; print('torch', torch.__version__)"
