#!/usr/bin/env bash
# bench/gpu_host.py on a BERT-base float16 plan made here (export, solder plan), cold kernel cache.
# Carry: .device/gpu_bert (bench/gpu_bert_bundle.sh). HOST_SHAPE=BxS picks the bucket (default 1x16).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-bench/out}
W=/tmp/gpu_host
source bench/bert_plan16.sh
PYTHONPATH=backends/triton/runtime:bench timeout 300 python3 bench/gpu_host.py --plan16 "$W/plan16" \
  --shape "${HOST_SHAPE:-1x16}" 2>&1 | grep -v Warning | tee "$OUT/gpu_host.log"
