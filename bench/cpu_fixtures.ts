// Every ONNX fixture in ../shared/models as float32 and float16 plans, run by the Python runtime
// on the CPU (TRITON_INTERPRET=1, no CUDA) against the recorded outputs; prints one line per
// plan and the time spent planning and running.
//   npx tsx bench/cpu_fixtures.ts [--deep] [NAME_SUBSTRING...]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { emitFixturePlans, onnxFixtures, runPlansOnCpu } from '../test/triton-cpu-check.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const modelsDir = path.resolve(repoRoot, '../shared/models');
if (!fs.existsSync(modelsDir)) {
  console.log(`skipped: no models folder at ${modelsDir}`);
  process.exit(0);
}
const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith('--'));
const files = onnxFixtures(modelsDir, args.includes('--deep')).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
const plansDir = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-cpu-fixtures-'));
try {
  const t0 = performance.now();
  const planSeconds = emitFixturePlans(modelsDir, files, plansDir);
  const t1 = performance.now();
  const { rows, log } = runPlansOnCpu(repoRoot, modelsDir, files, plansDir);
  const t2 = performance.now();
  process.stdout.write(log);
  for (const [file, s] of planSeconds) console.log(`planned ${file} (both dtypes) in ${s.toFixed(2)} s`);
  const failed = rows.filter((r) => !r.ok);
  console.log(`${files.length} fixtures, ${rows.length} plans: ${rows.length - failed.length} pass, ${failed.length} fail`);
  console.log(`planning ${((t1 - t0) / 1000).toFixed(1)} s, CPU runtime (one process) ${((t2 - t1) / 1000).toFixed(1)} s`);
  process.exitCode = failed.length === 0 ? 0 : 1;
} finally {
  fs.rmSync(plansDir, { recursive: true, force: true });
}
