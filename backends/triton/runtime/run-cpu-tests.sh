#!/usr/bin/env bash
# The runtime's tests on the CPU, with Triton's interpreter standing in for the GPU.
# Skips (and says so) when torch or triton is not installed: see requirements-runtime.txt.
set -euo pipefail
cd "$(dirname "$0")"
python="${PYTHON:-python3}"
if ! "$python" -c 'import torch, triton' 2>/dev/null; then
  echo "runtime tests skipped: $python cannot import torch and triton (pip install -r requirements-runtime.txt)"
  exit 0
fi
TRITON_INTERPRET=1 exec "$python" -m pytest -q -p no:cacheprovider tests
