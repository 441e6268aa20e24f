#!/usr/bin/env bash
# The runtime's own tests on a real GPU (kernels at awkward sizes against torch, CUDA graphs).
# Autotuning every test shape makes this slow (over 420 s on an H100): give it a call of its own.
set -uo pipefail
cd "$(dirname "$0")/../backends/triton/runtime"
OUT=${OUT:-/tmp/out}
export SOLDER_CACHE_DIR=/tmp/solder-cache PYTHONUNBUFFERED=1
nvidia-smi -L
echo "== runtime tests on the GPU"
timeout 570 python3 -m pytest -q -p no:cacheprovider tests -x --durations=15 2>&1 | tail -25 | tee "$OUT/runtime_gpu_tests.log"
