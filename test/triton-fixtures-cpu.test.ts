// Issue 4's correctness criteria on the CPU: float32 plans within 1e-3 max abs of the recorded
// outputs, float16 plans within 1e-2 relative L2, run by the Python runtime under
// TRITON_INTERPRET=1 with no GPU visible. A representative subset keeps the suite short
// (vit eager + dynamo, and one export each of bert, llama, gpt2, t5); the whole folder is
// `npx tsx bench/cpu_fixtures.ts [--deep]`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveSharedModels as hasModels, repoRoot, sharedModelsDir as modelsDir } from './models.js';
import { MAX_ABS_FP32, REL_L2_FP16, emitFixturePlans, hasRuntimePython, onnxFixtures, runPlansOnCpu } from './triton-cpu-check.js';

const SUBSET = ['vit.eager.onnx', 'vit.eager.dynamo.onnx', 'bert.eager.onnx', 'llama.sdpa.onnx', 'gpt2.sdpa.dynamo.onnx', 't5enc.eager.onnx'];

if (!hasModels) console.warn(`skipping the CPU fixture plans: no models folder at ${modelsDir}`);
if (!hasRuntimePython()) console.warn('skipping the CPU fixture plans: no python3 (or $SOLDER_PYTHON) with torch and triton');

// A skipped describe's body still runs while tests are collected: the folder is read in the test.
describe.skipIf(!hasModels || !hasRuntimePython())('fixture plans on the CPU runtime match the recordings', () => {
  it('float32 within 1e-3 max abs, float16 within 1e-2 relative L2, on every output', () => {
    const files = SUBSET.filter((f) => onnxFixtures(modelsDir).includes(f));
    expect(files).toHaveLength(SUBSET.length);
    const plansDir = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-fixture-plans-'));
    try {
      check(files, plansDir);
    } finally {
      fs.rmSync(plansDir, { recursive: true, force: true });
    }
  }, 300_000);
});

/** Plans the fixtures at both dtypes, runs them on the CPU runtime and checks every output. */
function check(files: readonly string[], plansDir: string): void {
  emitFixturePlans(modelsDir, files, plansDir);
  const { rows, log } = runPlansOnCpu(repoRoot, modelsDir, files, plansDir);
  expect(rows.map((r) => `${r.model} ${r.dtype}`).sort()).toEqual(files.flatMap((f) => [`${f} float16`, `${f} float32`]).sort());
  for (const row of rows) {
    expect(row.status, log).toBe('checked');
    for (const o of row.outputs ?? []) {
      const where = `${row.model} ${row.dtype} ${o.name}\n${log}`;
      expect(o.error, where).toBeUndefined();
      expect(o.nan, where).toBe(false);
      if (row.dtype === 'float32') expect(o.max_abs!, where).toBeLessThanOrEqual(MAX_ABS_FP32);
      else expect(o.rel_l2!, where).toBeLessThanOrEqual(REL_L2_FP16);
    }
    expect(row.outputs?.length ?? 0).toBeGreaterThan(0);
  }
}
