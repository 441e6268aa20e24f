#!/usr/bin/env bash
# Follow-up to bench/gpu_bert.sh run 1 (which faulted replaying the 32x512 bucket): the 32x512 cell
# in a fresh process (baselines first), then bench/gpu_bert_repro.py variants, one process each.
# Same bundle as gpu_bert.sh; writes gpu_bert_32x512.json and the log to $OUT.
set -uo pipefail
cd "$(dirname "$0")/.."
BUNDLE=${GPU_BERT_BUNDLE:-.device/gpu_bert}
OUT=${OUT:-bench/out}
W=/tmp/gpu_bert
mkdir -p "$OUT"
rm -rf "$W" && mkdir -p "$W/bin"
export PYTHONUNBUFFERED=1 SOLDER_CACHE_DIR="$W/cache"
unset TRITON_CACHE_DIR
stamp() { echo "[$(date +%T)] $*"; }

main() {
START=$(date +%s)
left() { local l=$(( START + 560 - $(date +%s) - $1 )); (( l > 10 )) && echo $l || echo 10; }
python3 bench/unpack_bundle.py "$BUNDLE" "$W" || exit 1
export PATH="$W/bin:$PATH"
stamp "export + plan float16"
timeout 200 python3 bench/gpu_bert.py export "$W/bert.onnx" 2>&1 | grep -v Warning | tail -1
timeout 150 node "$W/solder/bin/solder.js" plan "$W/bert.onnx" -o "$W/plan_float16" --dtype float16 --max-batch 32 --max-seq 512
stamp "32x512 in a fresh process: HF eager, torch.compile (static: first shape), then solder"
[ -n "${REPRO_ONLY:-}" ] || timeout "$(left 150)" python3 bench/gpu_bert.py bench --plan16 "$W/plan_float16" --json "$OUT/gpu_bert_32x512.json" \
  --shapes 32x512 --skip-warmup --skip-correctness 2>&1 | grep -v Warning
for v in ${REPRO_VARIANTS:-aec - a e c aect}; do  # '-': no flags (the control)
  [ "$v" = "-" ] && v=""
  stamp "repro variant '$v'"
  timeout "$(( $(left 0) < 120 ? $(left 0) : 120 ))" python3 bench/gpu_bert_repro.py "$W/plan_float16" "$v" 2>&1 \
    | grep -v Warning | grep "variant\|ok:\|Error\|error" | head -12
done
stamp "done"
[ -n "${REPRO_ONLY:-}" ] || python3 bench/gpu_bert.py table "$OUT/gpu_bert_32x512.json"
}

main 2>&1 | tee "$OUT/gpu_bert_followup.log"
