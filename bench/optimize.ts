// How fast `optimize` is: the deep fixtures end to end (`node bin/solder.js optimize`, as a
// user runs it, each run a fresh process), where the time of one fresh run goes by stage,
// and synthetic graphs of 1k, 5k and 20k nodes in process, to show that time grows about
// linearly. Run: npm run build && npx tsx bench/optimize.ts [--runs N] [--skip-synthetic]
// (it re-bundles the CLI first: after a bare `npx tsc`, bin/solder.js runs tsc's slower output).
// CPU is user+sys of the whole process (V8 compiles and collects garbage on helper threads),
// reported beside wall time because other work on a shared machine inflates wall time only.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { optimize } from '../passes/optimize.js';
import { syntheticTransformer } from './synthetic.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const models = path.resolve(root, '../shared/models');
const argv = process.argv.slice(2);
const RUNS = Number(argv[argv.indexOf('--runs') + 1] ?? 0) || 7;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const ms = (s: number) => (s * 1000).toFixed(0);

// Preloaded into each measured process: its own user+sys CPU time, written as it exits.
const CPU_AT_EXIT = `data:text/javascript,process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('\\nCPU_US '+(u.user+u.system)+'\\n')})`;

interface Run {
  readonly wall: number;
  readonly cpu: number;
}

function run(args: readonly string[], what: string): Run & { stdout: string } {
  const start = performance.now();
  const r = spawnSync(process.execPath, ['--import', CPU_AT_EXIT, ...args], { encoding: 'utf8', cwd: root });
  const wall = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`${what} failed: ${r.stderr}`);
  const cpu = Number(/CPU_US (\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1e6;
  return { wall, cpu, stdout: r.stdout };
}

const bundled = spawnSync(process.execPath, ['scripts/bundle-cli.mjs'], { encoding: 'utf8', cwd: root });
if (bundled.status !== 0) throw new Error(`bundling the CLI failed: ${bundled.stderr}`);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-bench-'));
const deep = ['llama_deep.eager.onnx', 'bert_deep.eager.onnx', 'llama_deep.eager.dynamo.onnx', 'bert_deep.eager.dynamo.onnx']
  .map((f) => path.join(models, f))
  .filter((f) => fs.existsSync(f));
try {
  const nodeStart = Array.from({ length: RUNS }, () => run(['-e', '0'], 'node -e 0'));
  console.log(`solder optimize MODEL -o OUT --report R.json, end to end (fresh process, median of ${RUNS}; node start alone ${ms(median(nodeStart.map((r) => r.wall)))} ms)`);
  console.log('| model | nodes | wall ms | cpu ms (user+sys) | wall min-max |');
  console.log('|---|---|---|---|---|');
  for (const model of deep) {
    const out = path.join(tmp, 'out.onnx');
    const runs = Array.from({ length: RUNS }, () => run(['bin/solder.js', 'optimize', model, '-o', out, '--report', path.join(tmp, 'r.json'), '--quiet'], `solder optimize ${model}`));
    const nodes = JSON.parse(fs.readFileSync(path.join(tmp, 'r.json'), 'utf8')).nodes_before;
    const walls = runs.map((r) => r.wall);
    console.log(`| ${path.basename(model)} | ${nodes} | ${ms(median(walls))} | ${ms(median(runs.map((r) => r.cpu)))} | ${ms(Math.min(...walls))}-${ms(Math.max(...walls))} |`);
  }
  for (const model of deep.slice(0, 2)) phases(model);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

/** One fresh process doing what `solder optimize` does, stage by stage (median over the runs). */
function phases(model: string): void {
  const dist = pathToFileURL(path.join(root, 'dist')).href;
  const script = `
    const lap = (() => { let t = performance.now(), c = process.cpuUsage(); const rows = [];
      const f = (name) => { const now = performance.now(), u = process.cpuUsage(c); rows.push([name, now - t, (u.user + u.system) / 1000]); t = now; c = process.cpuUsage(); };
      f.rows = rows; return f; })();
    const { save } = await import('${dist}/api/save.js');
    const { inferTypes } = await import('${dist}/ir/infer.js');
    const { verifyStructure } = await import('${dist}/ir/verify.js');
    const { evaluateNode } = await import('${dist}/passes/evaluate.js');
    const { importOnnx } = await import('${dist}/ir/import/onnx.js');
    const { canonicalize, cleanup } = await import('${dist}/passes/pipeline.js');
    const { applyRules } = await import('${dist}/patterns/driver.js');
    const { BUILTIN_RULES } = await import('${dist}/patterns/library.js');
    const { lowerForOnnxRuntime } = await import('${dist}/backends/onnx/lower.js');
    await import('${dist}/debugger/cli/optimize.js');
    lap('load modules (tsc output)');
    let g = importOnnx(${JSON.stringify(model)}); lap('import');
    g = inferTypes(g, { evaluate: evaluateNode }); lap('inferTypes');
    verifyStructure(g); lap('verifyStructure');
    g = canonicalize(g); lap('canonicalize');
    g = applyRules(g, BUILTIN_RULES).graph; lap('applyRules');
    g = cleanup(g); lap('cleanup');
    g = lowerForOnnxRuntime(g).graph; lap('lower for ORT');
    save(g, ${JSON.stringify(path.join(tmp, 'phases.onnx'))}); lap('save');
    process.stdout.write(JSON.stringify(lap.rows));`;
  const runs = Array.from({ length: RUNS }, () => JSON.parse(run(['--input-type=module', '-e', script], 'phases').stdout) as [string, number, number][]);
  console.log(`\nstages of one fresh run, ${path.basename(model)} (median of ${RUNS}, ms)`);
  console.log('| stage | wall | cpu |');
  console.log('|---|---|---|');
  const names = runs[0]!.map(([name]) => name);
  names.forEach((name, i) => {
    console.log(`| ${name} | ${median(runs.map((r) => r[i]![1])).toFixed(0)} | ${median(runs.map((r) => r[i]![2])).toFixed(0)} |`);
  });
}

if (!argv.includes('--skip-synthetic')) {
  console.log('\noptimize in process on synthetic transformer graphs');
  console.log('| nodes | seconds | us/node | nodes after | fused |');
  console.log('|---|---|---|---|---|');
  for (const size of [1000, 5000, 20000]) {
    const graph = syntheticTransformer(size);
    const times: number[] = [];
    let last;
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      last = optimize(graph);
      times.push((performance.now() - start) / 1000);
    }
    const s = median(times);
    const fused = Object.entries(last!.report.fused).filter(([, n]) => n > 0).map(([op, n]) => `${op} ${n}`).join(', ');
    console.log(`| ${graph.nodes.length} | ${s.toFixed(3)} | ${((s * 1e6) / graph.nodes.length).toFixed(0)} | ${last!.graph.nodes.length} | ${fused} |`);
  }
}
