// How long `solder inspect` takes end to end on the large fixtures (the CLI process, cold).
// Run: npx tsx bench/inspect.ts   (needs `npm run build` first)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const models = path.resolve(root, '../shared/models');
const files = ['llama_deep.eager.onnx', 'llama_deep.eager.dynamo.onnx', 'bert_deep.eager.onnx', 'llama_deep.eager.pt2']
  .map((f) => path.join(models, f))
  .filter((f) => fs.existsSync(f));
const RUNS = 5;

function timeOnce(args: string[]): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, [path.join(root, 'bin/solder.js'), ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`solder ${args.join(' ')} failed: ${r.stderr}`);
  return (performance.now() - start) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

// A baseline in the same run: node starting and exiting, so the table separates solder's work from process start.
const nodeStart = median(Array.from({ length: RUNS }, () => {
  const start = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  return (performance.now() - start) / 1000;
}));

console.log(`solder inspect, median of ${RUNS} cold runs (node process start alone: ${nodeStart.toFixed(3)} s)`);
console.log('| model | seconds |');
console.log('|---|---|');
for (const f of files) {
  const s = median(Array.from({ length: RUNS }, () => timeOnce(['inspect', f])));
  console.log(`| ${path.basename(f)} | ${s.toFixed(3)} |`);
}
