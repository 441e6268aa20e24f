// Every real exported model imports, verifies, and runs in the reference interpreter
// to its recorded outputs (max abs error <= 1e-4). A model dropped into the folder is
// tested without code changes.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from '../api/load.js';
import { compareOutputs, readRecordedIO, run } from '../api/run.js';
import { allModels, warnIfNoSharedModels } from './models.js';

warnIfNoSharedModels('fixtures-run');
const models = allModels().filter((m) => m.io !== undefined);

describe('real models run to their recorded outputs', () => {
  it('finds models to test', () => {
    expect(models.length).toBeGreaterThan(0);
  });

  it.each(models.map((m) => [path.basename(m.file), m] as const))('%s', (_name, m) => {
    const graph = load(m.file);
    const io = readRecordedIO(m.io as string);
    const outputs = run(graph, io.inputs);
    const rows = compareOutputs(graph, outputs, io.outputs, { atol: 1e-4, rtol: 0 });
    for (const r of rows) {
      expect(r.problem, `${r.name}`).toBeUndefined();
      expect(r.maxAbs, `${r.name} max abs`).toBeLessThanOrEqual(1e-4);
    }
  });
});
