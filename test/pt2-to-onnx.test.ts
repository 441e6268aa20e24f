// A torch.export archive converted to ONNX (`solder convert`) runs in ONNX Runtime with the
// recorded outputs: the importer's aten mapping produces real, standard ONNX.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { load, save } from '../api/load.js';
import { modelsIn, sharedModelsDir, warnIfNoSharedModels } from './models.js';
import { haveOrt, ortErrors, warnIfNoOrt } from './ort-check.js';

warnIfNoSharedModels('pt2-to-onnx');
warnIfNoOrt('pt2-to-onnx');
const archives = modelsIn(sharedModelsDir).filter((m) => m.file.endsWith('.pt2') && m.io !== undefined);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-pt2-onnx-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!haveOrt || archives.length === 0)('.pt2 converted to ONNX runs in ONNX Runtime', () => {
  it.each(archives.map((m) => [path.basename(m.file), m] as const))('%s', (name, m) => {
    const out = path.join(tmp, name.replace(/\.pt2$/, '.onnx'));
    save(load(m.file), out);
    const errors = ortErrors(out, m.io as string);
    expect(Object.keys(errors).length).toBeGreaterThan(0);
    for (const [output, maxAbs] of Object.entries(errors)) expect(maxAbs, output).toBeLessThanOrEqual(1e-4);
  });
});
