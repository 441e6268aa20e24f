// How fast `optimize` is: the deep fixtures end to end (load + optimize + export, as the CLI
// does it, in a fresh process) and synthetic graphs of 1k, 5k and 20k nodes in process, to show
// that time grows about linearly. Run: npm run build && npx tsx bench/optimize.ts
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { optimize } from '../passes/optimize.js';
import { syntheticTransformer } from './synthetic.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const models = path.resolve(root, '../shared/models');
const RUNS = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function cliSeconds(model: string, out: string): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, [path.join(root, 'bin/solder.js'), 'optimize', model, '-o', out, '--quiet'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`solder optimize ${model} failed: ${r.stderr}`);
  return (performance.now() - start) / 1000;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-bench-'));
try {
  console.log(`solder optimize end to end (fresh process, median of ${RUNS})`);
  console.log('| model | nodes | seconds |');
  console.log('|---|---|---|');
  for (const f of ['llama_deep.eager.onnx', 'bert_deep.eager.onnx', 'llama_deep.eager.dynamo.onnx', 'bert_deep.eager.dynamo.onnx']) {
    const model = path.join(models, f);
    if (!fs.existsSync(model)) continue;
    const s = median(Array.from({ length: RUNS }, () => cliSeconds(model, path.join(tmp, 'out.onnx'))));
    const nodes = JSON.parse(spawnSync(process.execPath, [path.join(root, 'bin/solder.js'), 'inspect', model, '--json'], { encoding: 'utf8' }).stdout).nodeCount;
    console.log(`| ${f} | ${nodes} | ${s.toFixed(3)} |`);
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

console.log('\noptimize in process on synthetic transformer graphs');
console.log('| nodes | seconds | us/node | nodes after | fused |');
console.log('|---|---|---|---|---|');
for (const size of [1000, 5000, 20000]) {
  const graph = syntheticTransformer(size);
  const times: number[] = [];
  let last;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    last = optimize(graph);
    times.push((performance.now() - start) / 1000);
  }
  const s = median(times);
  const fused = Object.entries(last!.report.fused).filter(([, n]) => n > 0).map(([op, n]) => `${op} ${n}`).join(', ');
  console.log(`| ${graph.nodes.length} | ${s.toFixed(3)} | ${((s * 1e6) / graph.nodes.length).toFixed(0)} | ${last!.graph.nodes.length} | ${fused} |`);
}
