#!/usr/bin/env bash
# BERT-base end to end on a CUDA machine without Node.js: export -> solder optimize/plan -> runtime
# vs Hugging Face eager and torch.compile, plus the fixture correctness check of issue "GPU backend".
#
# Needs the bundle made by bench/gpu_bert_bundle.sh (node.xz, solder.tar.xz, models/) in
# $GPU_BERT_BUNDLE (default .device/gpu_bert); writes gpu_bert.json, fixtures.json and the
# log to $OUT (default bench/out). The last lines printed are the summary table.
set -uo pipefail
cd "$(dirname "$0")/.."
BUNDLE=${GPU_BERT_BUNDLE:-.device/gpu_bert}
OUT=${OUT:-bench/out}
W=/tmp/gpu_bert
mkdir -p "$OUT"
rm -rf "$W" && mkdir -p "$W/bin" "$W/plans"
export PYTHONUNBUFFERED=1 SOLDER_CACHE_DIR="$W/cache"
unset TRITON_CACHE_DIR  # solder_runtime points it into SOLDER_CACHE_DIR: the first run is cold
# An experiment may fix GEMM choices beforehand: SOLDER_CHOICES_SEED names a gemm_choices.v2.json to
# start from (its warm-up times then no longer measure a cold start).
if [ -n "${SOLDER_CHOICES_SEED:-}" ]; then mkdir -p "$W/cache" && cp "$SOLDER_CHOICES_SEED" "$W/cache/gemm_choices.v2.json"; fi
stamp() { echo "[$(date +%T)] $*"; }

main() {
START=$(date +%s)
left() { local l=$(( START + ${GPU_BERT_SECONDS:-575} - $(date +%s) - $1 )); (( l > 10 )) && echo $l || echo 10; }

stamp "unpack node and solder"
python3 bench/unpack_bundle.py "$BUNDLE" "$W" || exit 1
export PATH="$W/bin:$PATH"
SOLDER=(node "$W/solder/bin/solder.js")
if "${SOLDER[@]}" --help | grep -q '^  plan '; then PLAN=("${SOLDER[@]}" plan)
else PLAN=(env SOLDER_ROOT="$W/solder" node bench/solder_plan.mjs); fi
nvidia-smi -L; node --version
python3 -c 'import torch, triton, transformers; print("torch", torch.__version__, "triton", triton.__version__, "transformers", transformers.__version__)'

stamp "export BERT-base to ONNX"
timeout 240 python3 bench/gpu_bert.py export "$W/bert.onnx" 2>&1 | grep -v Warning | tail -3
ls -la "$W"

stamp "solder optimize, and plans (BERT fp16 + fp32, fixtures) in parallel"
( time "${SOLDER[@]}" optimize "$W/bert.onnx" -o "$W/bert.opt.onnx" --report "$OUT/bert.optimize.json" ) 2>&1
for dt in float16 float32; do
  ( time timeout 240 "${PLAN[@]}" "$W/bert.onnx" -o "$W/plan_$dt" --dtype $dt --max-batch 32 --max-seq 512 ) \
    > "$W/plan_$dt.log" 2>&1 &
done
FIXTURES=(bert.eager.onnx llama.eager.onnx gpt2.eager.dynamo.onnx t5enc.eager.onnx vit.eager.onnx)
( for m in "${FIXTURES[@]}"; do for dt in float32 float16; do
    timeout 60 "${PLAN[@]}" "$BUNDLE/models/$m" -o "$W/plans/$m.$dt" --dtype $dt --max-batch 4 --max-seq 64 \
      | sed "s|^|$m $dt: |" | head -2
  done; done ) > "$W/fixture_plans.log" 2>&1 &
wait
cat "$W/plan_float16.log" "$W/plan_float32.log" "$W/fixture_plans.log"

stamp "bench (cold warm-up first, then correctness, then timings)"
timeout "$(left 110)" python3 bench/gpu_bert.py bench --plan16 "$W/plan_float16" --plan32 "$W/plan_float32" \
  --json "$OUT/gpu_bert.json" --compile-budget-s 200
stamp "warm-up again in a second process (kernel cache warm)"
timeout "$(left 70)" python3 bench/gpu_bert.py warmup --plan16 "$W/plan_float16" --json "$OUT/gpu_bert.json"

stamp "fixtures: float32 plans within 1e-3 max abs, float16 within 1e-2 relative L2"
timeout "$(left 5)" python3 bench/gpu_fixtures.py "$W/plans" "$BUNDLE/models" "${FIXTURES[@]}" --json "$OUT/fixtures.json" \
  > "$W/fixtures.log" 2>&1
grep -v "Warning\|TensorHandle" "$W/fixtures.log"
cp "$W/cache/gemm_choices.v2.json" "$OUT/" 2>/dev/null || true
stamp "done"
python3 bench/gpu_bert.py table "$OUT/gpu_bert.json" --fixtures "$OUT/fixtures.json"
}

main 2>&1 | tee "$OUT/gpu_bert.log"
