#!/usr/bin/env bash
# The runtime's own tests on a real GPU (kernels at awkward sizes against torch, CUDA graphs),
# plus the negative check of the cuBLAS-workspace fix: with the executor's clearing disabled,
# the regression test must fail (in a subprocess: a fault poisons the CUDA context).
set -uo pipefail
cd "$(dirname "$0")/../backends/triton/runtime"
OUT=${OUT:-/tmp/out}
export SOLDER_CACHE_DIR=/tmp/solder-cache PYTHONUNBUFFERED=1
nvidia-smi -L
echo "== runtime tests on the GPU"
timeout 420 python3 -m pytest -q -p no:cacheprovider tests -x 2>&1 | tail -25 | tee "$OUT/runtime_gpu_tests.log"
echo "== the workspace regression test with the fix switched off (expected: FAIL or fault)"
timeout 60 python3 - <<'PY' 2>&1 | tail -5
import sys
sys.path.insert(0, "tests")
import solder_runtime.executor as ex
ex._fresh_cublas_workspace = lambda: None
import test_graph_workspace as t
try:
    t.test_replay_survives_another_graphs_pool_and_workspace_churn()
    print("negative check: PASSED without the fix (the test cannot see the bug here)")
except Exception as e:
    print("negative check: failed without the fix, as it should:", type(e).__name__, str(e)[:200])
PY
