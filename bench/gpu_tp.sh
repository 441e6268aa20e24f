#!/usr/bin/env bash
# Tensor-parallel prefill on a 2-GPU machine (nvidia-h200-x2): a LLaMA-style float16 model (hidden
# 4096, 32 layers, random weights) exported to ONNX here, planned by solder for 1 GPU and for 2
# (--tensor-parallel 2), run by solder_runtime on 1 GPU and under torchrun on 2 (NCCL, CUDA graphs),
# checked (2-GPU output within 1e-2 relative L2 of the 1-GPU plan's) and timed at 1x2048 and 8x512.
#
# Needs the bundle of bench/gpu_bert_bundle.sh (node.xz, solder.tar.xz), built from a checkout that
# has `solder plan --tensor-parallel`, in $GPU_TP_BUNDLE (default .device/gpu_bert). Writes the JSON
# results and the log to $OUT (default bench/out); the last lines printed are the table.
#
# Stages, each skipped when its result already exists in $W (default /tmp/gpu_tp), so a run can
# be split over several device commands of at most 10 minutes on the same (warm) machine:
#   bash bench/gpu_tp.sh export;   bash bench/gpu_tp.sh plan;   bash bench/gpu_tp.sh single tp table
# (no arguments: all five). Expected (measured per layer on a loaded 2-core CPU at hidden 4096,
# scaled to 32 layers): export 1-3 min; plan ~2 min for 1 GPU and ~6 min for 2 GPUs, run side by
# side, ~60 GB of host memory (2-GPU sharding spends half its time in passes/shard's slicing);
# single and tp 1-3 min each (cold Triton compiles first). Model size: GPU_TP_MODEL_ARGS (default: the 7B-class shape above), e.g.
# "--hidden 1024 --intermediate 2816 --layers 4 --heads 16 --kv-heads 4" for a quick rehearsal.
# GPU_TP_DEVICE=cpu rehearses everything on the CPU (Triton interpreter, gloo) at a tiny size, e.g.
#   GPU_TP_DEVICE=cpu GPU_TP_WORK=/tmp/tpr OUT=/tmp/tpr/out GPU_TP_SOLDER="npx tsx debugger/cli/main.ts" \
#   GPU_TP_MODEL_ARGS="--hidden 256 --intermediate 512 --layers 2 --heads 4 --kv-heads 2 --vocab 1000" \
#   GPU_TP_SHAPES=1x64,2x32 GPU_TP_MAX_BATCH=2 GPU_TP_MAX_SEQ=64 GPU_TP_RUN_ARGS="--reps 2 --warmup 0" bash bench/gpu_tp.sh
# NCCL_* variables are left as the machine has them (NVLink multicast stays off).
set -uo pipefail
cd "$(dirname "$0")/.."
BUNDLE=${GPU_TP_BUNDLE:-.device/gpu_bert}
OUT=${OUT:-bench/out}
W=${GPU_TP_WORK:-/tmp/gpu_tp}
MODEL_ARGS=${GPU_TP_MODEL_ARGS:-}
VOCAB_ARGS=$(echo " $MODEL_ARGS" | grep -o -- ' --vocab [0-9]*' || true)
RUN_ARGS=${GPU_TP_RUN_ARGS:-}  # e.g. "--reps 2 --warmup 0" for a CPU rehearsal
SHAPES=${GPU_TP_SHAPES:-1x2048,8x512}
MAX_BATCH=${GPU_TP_MAX_BATCH:-8}
MAX_SEQ=${GPU_TP_MAX_SEQ:-2048}
STAGES=${*:-export plan single tp table}
mkdir -p "$OUT" "$W/bin"
export PYTHONUNBUFFERED=1 SOLDER_CACHE_DIR="$W/cache"
if [ "${GPU_TP_DEVICE:-cuda}" = cpu ]; then export TRITON_INTERPRET=1 CUDA_VISIBLE_DEVICES=; fi
stamp() { echo "[$(date +%T)] $*"; }
want() { [[ " $STAGES " == *" $1 "* ]]; }

# GPU_TP_SOLDER overrides the command, e.g. "npx tsx debugger/cli/main.ts" for a local rehearsal.
read -r -a SOLDER <<< "${GPU_TP_SOLDER:-node $W/solder/bin/solder.js}"

main() {
if [ -f "$BUNDLE/node.xz" ] && [ ! -x "$W/bin/node" ]; then
  stamp "unpack node and solder"
  python3 bench/unpack_bundle.py "$BUNDLE" "$W" || exit 1
fi
export PATH="$W/bin:$PATH"
nvidia-smi -L 2>/dev/null; node --version
python3 -c 'import torch, triton, transformers; print("torch", torch.__version__, "triton", triton.__version__, "transformers", transformers.__version__, "GPUs", torch.cuda.device_count())'
"${SOLDER[@]}" --help > "$W/solder-help.txt" 2>&1
grep -q -- '--tensor-parallel' "$W/solder-help.txt" \
  || { echo "this solder has no plan --tensor-parallel: rebuild the bundle (bench/gpu_bert_bundle.sh)"; exit 1; }

if want export && [ ! -f "$W/ref.safetensors" ]; then
  stamp "export the model to ONNX (random weights, seed fixed) and record float16 PyTorch outputs"
  rm -f "$W"/llama.onnx*
  timeout 580 python3 bench/gpu_tp.py export "$W/llama.onnx" --ref "$W/ref.safetensors" --shapes "$SHAPES" \
    --max-seq "$MAX_SEQ" $MODEL_ARGS 2>&1 | grep -v "Warning\|warn(" | tail -8
  ls -la "$W"; [ -f "$W/ref.safetensors" ] || { echo "export failed"; exit 1; }
fi

if want plan && { [ ! -f "$W/plan1/plan.json" ] || [ ! -f "$W/plan2/rank-1/plan.json" ]; }; then
  stamp "solder plan for 1 GPU and for 2 (--tensor-parallel 2), in parallel"
  export NODE_OPTIONS="--max-old-space-size=16384"
  for n in 1 2; do
    ( time timeout 580 "${SOLDER[@]}" plan "$W/llama.onnx" -o "$W/plan$n" --dtype float16 \
        --max-batch "$MAX_BATCH" --max-seq "$MAX_SEQ" --tensor-parallel $n ) > "$W/plan$n.log" 2>&1 &
  done
  wait
  cat "$W/plan1.log" "$W/plan2.log"
  [ -f "$W/plan1/plan.json" ] && [ -f "$W/plan2/rank-1/plan.json" ] || { echo "planning failed"; exit 1; }
  du -sh "$W"/plan1 "$W"/plan2/rank-*
fi

if want single && [ ! -f "$OUT/gpu_tp_single.json" ]; then
  stamp "1 GPU: first call (compile, tune, capture), outputs, latency"
  timeout 580 python3 bench/gpu_tp.py single --plan "$W/plan1" --json "$OUT/gpu_tp_single.json" \
    --outputs "$W/single.safetensors" --shapes "$SHAPES" $VOCAB_ARGS $RUN_ARGS 2>&1 | grep -v "Warning\|TensorHandle"
fi

if want tp && [ ! -f "$OUT/gpu_tp_2gpu.json" ]; then
  stamp "2 GPUs: torchrun, NCCL all-reduces inside the CUDA graphs"
  run_tp() {
    timeout "$1" python3 -m torch.distributed.run --standalone --nproc-per-node 2 bench/gpu_tp.py tp --plan "$W/plan2" \
      --json "$OUT/gpu_tp_2gpu.json" --outputs "$W/tp.safetensors" --shapes "$SHAPES" $VOCAB_ARGS $RUN_ARGS 2>&1 \
      | grep -v "Warning\|TensorHandle\|^W[0-9]* .*run.py\|^\*\*\*\*\|OMP_NUM_THREADS"
  }
  run_tp 400
  if [ ! -f "$OUT/gpu_tp_2gpu.json" ]; then
    stamp "the 2-GPU run with CUDA graphs failed: once more without them (SOLDER_NO_GRAPHS=1), to still have numbers"
    SOLDER_NO_GRAPHS=1 run_tp 300
  fi
fi

if want table; then
  stamp "table"
  python3 bench/gpu_tp.py table "$OUT/gpu_tp_single.json" "$OUT/gpu_tp_2gpu.json" --ref "$W/ref.safetensors" \
    --single-out "$W/single.safetensors" --tp-out "$W/tp.safetensors" | tee "$OUT/gpu_tp_table.txt"
fi
}

main 2>&1 | tee -a "$OUT/gpu_tp.log"
