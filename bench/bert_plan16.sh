# Sourced (from the repository root, with OUT and W set) by the one-bucket BERT-base scripts,
# gpu_bert_warmup.sh and gpu_host.sh: a fresh work folder W with node and solder unpacked from
# .device/gpu_bert (bench/gpu_bert_bundle.sh), BERT-base exported to W/bert.onnx and planned in
# float16 to W/plan16 (max batch 32, max seq 512), and an empty kernel cache under W/cache.
rm -rf "$W" && mkdir -p "$W/bin" "$OUT"
export PYTHONUNBUFFERED=1 SOLDER_CACHE_DIR="$W/cache"
unset TRITON_CACHE_DIR  # solder_runtime points it into SOLDER_CACHE_DIR: the first run is cold
python3 bench/unpack_bundle.py .device/gpu_bert "$W" || exit 1
export PATH="$W/bin:$PATH"
timeout 240 python3 bench/gpu_bert.py export "$W/bert.onnx" 2>&1 | grep -v Warning | tail -1
timeout 240 node "$W/solder/bin/solder.js" plan "$W/bert.onnx" -o "$W/plan16" --dtype float16 \
  --max-batch 32 --max-seq 512
