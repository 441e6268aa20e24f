#!/usr/bin/env bash
# Builds what the device scripts (gpu_bert.sh, gpu_all_fixtures.sh, gpu_tp.sh) need on a machine
# without Node.js, into .device/gpu_bert (ignored): node.xz (this machine's node binary),
# solder.tar.xz (the `solder` command alone: bin/solder.js, the one-file bundle dist/solder.cjs
# with its code cache, package.json; no node_modules, the bundle holds its dependencies) and
# models/ (small fixtures). The bundle is built from this checkout's sources: with other work in
# progress here, run it from a clean `git worktree` of the commit to measure.
set -euo pipefail
cd "$(dirname "$0")/.."
B=.device/gpu_bert
S=$B/stage/solder
rm -rf "$B/stage" && mkdir -p "$S" "$B/models"
[ -f "$B/node.xz" ] || xz -9 -T1 -c "$(command -v node)" > "$B/node.xz"
node scripts/bundle-cli.mjs --into "$S"
tar -C "$B/stage" -cJf "$B/solder.tar.xz" solder
for f in bert.eager.onnx bert.eager.onnx.data bert.eager.io.safetensors llama.eager.onnx llama.eager.onnx.data \
         llama.eager.io.safetensors gpt2.eager.dynamo.onnx gpt2.eager.io.safetensors t5enc.eager.onnx \
         t5enc.eager.io.safetensors vit.eager.onnx vit.eager.io.safetensors; do
  cp ../shared/models/$f "$B/models/"
done
# the bundle alone must run the CLI: try it from a copy with no node_modules above it
T=$(mktemp -d) && tar -C "$T" -xJf "$B/solder.tar.xz" && (cd "$T" && node solder/bin/solder.js --help | grep -q '^  plan ')
rm -rf "$T" "$B/stage"
du -sh "$B"/* && du -sh "$B"
