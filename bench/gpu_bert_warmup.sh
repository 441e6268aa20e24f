#!/usr/bin/env bash
# Warm-up of one BERT-base shape bucket (default 1x16, where each layer runs as one launch), cold
# (empty kernel cache) and warm (second process), plus that cell's latency against HF eager and
# with fusion off. The short version of gpu_bert.sh for one bucket: no torch.compile, no fixtures.
# Carry: .device/gpu_bert (bench/gpu_bert_bundle.sh). WARM_SHAPE=BxS picks the bucket.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-bench/out}
SHAPE=${WARM_SHAPE:-1x16}
W=/tmp/gpu_bert_warmup
source bench/bert_plan16.sh
timeout 300 python3 bench/gpu_bert.py bench --plan16 "$W/plan16" --json "$OUT/gpu_bert_warmup.json" \
  --warm-shape "$SHAPE" --shapes "$SHAPE" --no-compile --skip-correctness | grep -v "^solder_profile\|^compile_profile"
timeout 120 python3 bench/gpu_bert.py warmup --plan16 "$W/plan16" --shape "$SHAPE" --json "$OUT/gpu_bert_warmup.json"
python3 bench/gpu_bert.py table "$OUT/gpu_bert_warmup.json"
