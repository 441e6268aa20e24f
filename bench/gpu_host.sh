#!/usr/bin/env bash
# bench/gpu_host.py on a BERT-base float16 plan made here (export, solder plan), cold kernel cache.
# Carry: .device/gpu_bert (bench/gpu_bert_bundle.sh). HOST_SHAPE=BxS picks the bucket (default 1x16).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-bench/out}
W=/tmp/gpu_host && rm -rf "$W" && mkdir -p "$W/bin" "$OUT"
export PYTHONUNBUFFERED=1 SOLDER_CACHE_DIR="$W/cache"
unset TRITON_CACHE_DIR
python3 bench/unpack_bundle.py .device/gpu_bert "$W" || exit 1
export PATH="$W/bin:$PATH"
timeout 240 python3 bench/gpu_bert.py export "$W/bert.onnx" 2>&1 | grep -v Warning | tail -1
timeout 240 node "$W/solder/bin/solder.js" plan "$W/bert.onnx" -o "$W/plan16" --dtype float16 --max-batch 32 --max-seq 512
PYTHONPATH=backends/triton/runtime:bench timeout 300 python3 bench/gpu_host.py --plan16 "$W/plan16" \
  --shape "${HOST_SHAPE:-1x16}" 2>&1 | grep -v Warning | tee "$OUT/gpu_host.log"
