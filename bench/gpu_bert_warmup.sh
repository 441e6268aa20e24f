#!/usr/bin/env bash
# Warm-up of one BERT-base shape bucket (default 1x16, where each layer runs as one launch), cold
# (empty kernel cache) and warm (second process), plus that cell's latency against HF eager and
# with fusion off. The short version of gpu_bert.sh for one bucket: no torch.compile, no fixtures.
# Carry: .device/gpu_bert (bench/gpu_bert_bundle.sh). WARM_SHAPE=BxS picks the bucket.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-bench/out}
SHAPE=${WARM_SHAPE:-1x16}
W=/tmp/gpu_bert_warmup && rm -rf "$W" && mkdir -p "$W/bin" "$OUT"
export PYTHONUNBUFFERED=1 SOLDER_CACHE_DIR="$W/cache"
unset TRITON_CACHE_DIR
python3 bench/unpack_bundle.py .device/gpu_bert "$W" || exit 1
export PATH="$W/bin:$PATH"
timeout 240 python3 bench/gpu_bert.py export "$W/bert.onnx" 2>&1 | grep -v Warning | tail -1
timeout 240 node "$W/solder/bin/solder.js" plan "$W/bert.onnx" -o "$W/plan16" --dtype float16 --max-batch 32 --max-seq 512
timeout 300 python3 bench/gpu_bert.py bench --plan16 "$W/plan16" --json "$OUT/gpu_bert_warmup.json" \
  --warm-shape "$SHAPE" --shapes "$SHAPE" --no-compile --skip-correctness | grep -v "^solder_profile\|^compile_profile"
timeout 120 python3 bench/gpu_bert.py warmup --plan16 "$W/plan16" --shape "$SHAPE" --json "$OUT/gpu_bert_warmup.json"
python3 bench/gpu_bert.py table "$OUT/gpu_bert_warmup.json"
