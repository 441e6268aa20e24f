#!/usr/bin/env bash
# The runtime's own tests on a real GPU (kernels at awkward sizes against torch, CUDA graphs).
# SOLDER_AUTOTUNE=off: one config per kernel shape (these tests check results, not speed); with
# full autotuning the suite did not finish in 570 s on an H100.
set -uo pipefail
cd "$(dirname "$0")/../backends/triton/runtime"
OUT=${OUT:-/tmp/out}
export SOLDER_CACHE_DIR=/tmp/solder-cache PYTHONUNBUFFERED=1 SOLDER_AUTOTUNE=off
nvidia-smi -L
echo "== runtime tests on the GPU"
timeout ${CHECK_SECONDS:-400} python3 -m pytest -q -p no:cacheprovider tests -x --durations=15 2>&1 | tail -25 | tee "$OUT/runtime_gpu_tests.log"
