// Every exported model in ../shared/models survives import -> export -> import unchanged,
// and ONNX Runtime runs the exported file to the recorded outputs.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx } from '../export/onnx.js';
import type { Graph } from '../graph.js';
import { importOnnx } from './onnx.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const modelsDir = path.resolve(repoRoot, '../shared/models');
const haveModels = fs.existsSync(modelsDir);
const modelFiles = haveModels ? fs.readdirSync(modelsDir).filter((f) => f.endsWith('.onnx')).sort() : [];
const ortProbe = spawnSync('python3', ['-c', 'import onnxruntime, numpy, safetensors'], { encoding: 'utf8' });
const haveOrt = ortProbe.status === 0;
const THRESHOLD = 1024;
const TOLERANCE = 1e-4;

if (!haveModels) console.warn(`skipping the ONNX round trip: ${modelsDir} is absent`);
if (!haveOrt) console.warn('skipping the ONNX Runtime check of exported files: python3 cannot import onnxruntime, numpy and safetensors');

let tmp = '';
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-onnx-rt-'));
});
afterAll(() => {
  if (tmp !== '') fs.rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!haveModels)('ONNX import -> export -> import is the identity', () => {
  it.each(modelFiles)('%s', (file) => {
    const original = importOnnx(path.join(modelsDir, file));
    const out = path.join(tmp, file);
    exportOnnx(original, out, { externalDataThreshold: THRESHOLD });
    const again = importOnnx(out);
    expectSameGraph(again, original);

    // Large initializers went to the one external data file, small ones stayed inline.
    for (const init of again.initializers.values()) {
      const expected = init.bytes.byteLength > THRESHOLD ? { kind: 'external', location: `${file}.data` } : { kind: 'inline' };
      expect(init.origin, init.name).toEqual(expected);
    }
  });
});

describe.skipIf(!haveModels || !haveOrt)('ONNX Runtime runs the exported files to the recorded outputs', () => {
  it.each(modelFiles)('%s', (file) => {
    const out = path.join(tmp, `ort-${file}`);
    exportOnnx(importOnnx(path.join(modelsDir, file)), out, { externalDataThreshold: THRESHOLD });
    const io = path.join(modelsDir, `${file.replace(/(\.dynamo)?\.onnx$/, '')}.io.safetensors`);
    expect(fs.existsSync(io), `recorded inputs/outputs ${io}`).toBe(true);
    const run = spawnSync('python3', [path.join(repoRoot, 'test/ort_run.py'), out, io], { encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const errors = (JSON.parse(run.stdout) as { outputs: Record<string, number> }).outputs;
    expect(Object.keys(errors).length).toBeGreaterThan(0);
    for (const [name, maxAbs] of Object.entries(errors)) expect(maxAbs, name).toBeLessThanOrEqual(TOLERANCE);
  });
});

function expectSameGraph(got: Graph, want: Graph): void {
  expect(got.name).toBe(want.name);
  expect(got.nodes).toEqual(want.nodes);
  expect(got.inputs).toEqual(want.inputs);
  expect(got.outputs).toEqual(want.outputs);
  expect([...got.valueInfo]).toEqual([...want.valueInfo]);
  expect(got.valueMetadata).toEqual(want.valueMetadata);
  expect(got.meta).toEqual(want.meta);
  expect([...got.initializers.keys()]).toEqual([...want.initializers.keys()]);
  for (const [name, w] of want.initializers) {
    const g = got.initializers.get(name);
    expect(g?.dtype, name).toBe(w.dtype);
    expect(g?.shape, name).toEqual(w.shape);
    expect(g?.docString, name).toBe(w.docString);
    expect(Buffer.from(g?.bytes.read() ?? []).equals(Buffer.from(w.bytes.read())), `bytes of ${name}`).toBe(true);
  }
}
