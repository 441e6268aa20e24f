#!/usr/bin/env bash
# Builds what bench/gpu_bert.sh needs on a machine without Node.js, into .device/gpu_bert
# (ignored): node.xz (this machine's node binary), solder.tar.xz (a fresh build of dist/, bin/,
# package.json and the production node_modules only) and models/ (small fixtures).
set -euo pipefail
cd "$(dirname "$0")/.."
B=.device/gpu_bert
S=$B/stage/solder
rm -rf "$B/stage" && mkdir -p "$S/bin" "$B/models"
[ -f "$B/node.xz" ] || xz -9 -T1 -c "$(command -v node)" > "$B/node.xz"
# a private outDir: other builds of dist/ in this checkout cannot change the bundle mid-copy
npx tsc -p tsconfig.json --outDir "$S/dist" || echo "tsc reported errors (emitted anyway); check they are not in files the CLI needs"
cp bin/solder.js "$S/bin/" && cp package.json "$S/"
# runtime dependencies, minus the web debugger's (elkjs, playwright-core) and type-only packages
for d in $(npm ls --omit=dev --all --parseable 2>/dev/null | tail -n +2 | sed "s|^$PWD/||" \
           | grep -v 'node_modules/onnx-proto/node_modules\|playwright-core\|elkjs\|@types\|undici-types'); do
  mkdir -p "$S/$(dirname "$d")" && cp -r "$d" "$S/$d"
done
tar -C "$B/stage" -cJf "$B/solder.tar.xz" solder
for f in bert.eager.onnx bert.eager.onnx.data bert.eager.io.safetensors llama.eager.onnx llama.eager.onnx.data \
         llama.eager.io.safetensors gpt2.eager.dynamo.onnx gpt2.eager.io.safetensors t5enc.eager.onnx \
         t5enc.eager.io.safetensors vit.eager.onnx vit.eager.io.safetensors; do
  cp ../shared/models/$f "$B/models/"
done
# the bundle alone must run the CLI: try it from a copy with no node_modules above it
T=$(mktemp -d) && tar -C "$T" -xJf "$B/solder.tar.xz" && (cd "$T" && node solder/bin/solder.js --help | grep -q '^  optimize ')
rm -rf "$T" "$B/stage"
du -sh "$B"/* && du -sh "$B"
