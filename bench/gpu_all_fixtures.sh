#!/usr/bin/env bash
# Every model file in a folder of fixtures (default .device/allfix: a copy of the .onnx,
# .onnx.data and .io.safetensors files of ../shared/models; .pt2 archives are taken too), planned
# by solder (float32 and float16) and run by the runtime on the GPU against its recording (issue
# "GPU backend": fp32 within 1e-3 max abs, fp16 within 1e-2 relative L2).
# Carry: .device/gpu_bert/{node.xz,solder.tar.xz} (bench/gpu_bert_bundle.sh) and the folder.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-bench/out}
W=/tmp/gpu_all && rm -rf "$W" && mkdir -p "$W/bin" "$W/plans" "$OUT"
export PYTHONUNBUFFERED=1 SOLDER_CACHE_DIR="$W/cache"
python3 bench/unpack_bundle.py .device/gpu_bert "$W" || exit 1
export PATH="$W/bin:$PATH"
FIXTURES=${FIXTURES_DIR:-.device/allfix}
MODELS=$(cd "$FIXTURES" && ls *.onnx *.pt2 2>/dev/null)
echo "planning $(echo $MODELS | wc -w) models x 2 dtypes"
for m in $MODELS; do for dt in float32 float16; do echo "$m $dt"; done; done | \
  xargs -P 12 -n 2 sh -c 'timeout 240 node '"$W"'/solder/bin/solder.js plan '"$FIXTURES"'/$0 -o '"$W"'/plans/$0.$1 --dtype $1 --max-batch 4 --max-seq 64 > '"$W"'/plans/$0.$1.log 2>&1 || echo "plan failed: $0 $1: $(tail -1 '"$W"'/plans/$0.$1.log)"'
timeout 420 python3 bench/gpu_fixtures.py "$W/plans" "$FIXTURES" $MODELS --json "$OUT/all_fixtures.json" 2>&1 \
  | grep -v "Warning\|TensorHandle" | tee "$OUT/all_fixtures.log" | tail -50
