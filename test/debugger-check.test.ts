// checkGraphs and `solder check`: a normally optimized model passes; a fused node broken on
// purpose is named as the first failing node, with its own error told apart from upstream's.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { save } from '../api/load.js';
import { interpret } from '../backends/reference/interpreter.js';
import { checkCommand } from '../debugger/cli/check.js';
import { checkGraphs } from '../debugger/check.js';
import { errorStats } from '../api/error-stats.js';
import { unravelIndex } from '../debugger/check/error-stats.js';
import { feedsToFloat64, toFloat64 } from '../debugger/float64.js';
import { GraphBuilder } from '../ir/builder.js';
import { makeTensor } from '../ir/tensor.js';
import { breakOneFusedNode, captureStdout, inputsPath, modelPath, optimizedFixture } from './debugger-tools-fixtures.js';
import { haveSharedModels, sharedModelsDir } from './models.js';

describe('toFloat64', () => {
  it('computes in float64 what a direct float64 evaluation gives, through Cast and ConstantOfShape', () => {
    const b = new GraphBuilder('widen');
    const x = b.input('x', 'float32', [3]);
    const w = b.initializer('w', makeTensor('float32', [3], [0.1, 0.2, 0.3]));
    const [prod] = b.node('Mul', [x, w]);
    const [asInt] = b.node('Cast', [prod!], { to: 7 });
    const [back] = b.node('Cast', [asInt!], { to: 1 });
    const shape = b.initializer('shape', makeTensor('int64', [1], [3]));
    const [zeros] = b.node('ConstantOfShape', [shape]);
    const [sum] = b.node('Add', [prod!, back!]);
    const [y] = b.node('Add', [sum!, zeros!]);
    b.output(y!);
    const g = b.build();
    const xs = [1 / 3, 7.7, -2.5];
    const wide = toFloat64(g);
    const out = interpret(wide, feedsToFloat64(new Map([['x', makeTensor('float32', [3], xs)]]))).outputs.get(y!)!;
    expect(out.dtype).toBe('float64');
    const w32 = Float32Array.from([0.1, 0.2, 0.3]);
    const x32 = Float32Array.from(xs);
    const want = [0, 1, 2].map((i) => x32[i]! * w32[i]! + Math.trunc(x32[i]! * w32[i]!));
    expect(Array.from(out.data)).toEqual(want);
    // The float32 graph rounds the product; the float64 copy does not.
    const narrow = interpret(g, new Map([['x', makeTensor('float32', [3], xs)]])).outputs.get(y!)!;
    expect(Array.from(narrow.data)).not.toEqual(want);
  });
});

describe('error statistics', () => {
  it('finds the worst element as a multi-index, and treats NaN against a number as infinitely wrong', () => {
    const ref = makeTensor('float64', [2, 3], [1, 2, 3, 4, 5, 6]);
    const got = makeTensor('float32', [2, 3], [1, 2, 3, 4, 5.5, 6]);
    const s = errorStats(got, ref, 0);
    expect(s.maxAbs).toBeCloseTo(0.5, 12);
    expect(unravelIndex(s.worstFlat, [2, 3])).toEqual([1, 1]);
    expect(s.maxRel).toBeCloseTo(0.1, 12);
    const nan = makeTensor('float32', [2, 3], [1, 2, NaN, 4, 5, 6]);
    expect(errorStats(nan, ref, 0).maxAbs).toBe(Infinity);
  });
});

describe.skipIf(!haveSharedModels)(`checkGraphs on real models (needs ${sharedModelsDir})`, () => {
  for (const file of ['bert.eager.onnx', 'llama.eager.onnx', 'gpt2.eager.pt2']) {
    it(`finds no failing node in ${file} optimized normally`, () => {
      const { original, optimized, inputs } = optimizedFixture(file);
      const r = checkGraphs(original, optimized, inputs);
      expect(r.failing).toEqual([]);
      expect(r.ok).toBe(true);
      // The fused nodes were compared, not skipped.
      const fusedChecked = r.nodes.filter((n) => n.op.startsWith('solder::'));
      expect(fusedChecked.length).toBeGreaterThan(0);
      expect(r.values).toBeGreaterThan(optimized.nodes.length / 2);
    });
  }

  it('names a deliberately broken fused node as the first failing one, with a large own error', () => {
    const { original, optimized, inputs } = optimizedFixture('bert.eager.onnx');
    const { graph, broken } = breakOneFusedNode(optimized);
    const r = checkGraphs(original, graph, inputs);
    expect(r.ok).toBe(false);
    const first = r.firstFailing!;
    expect(first.name).toBe(broken.name);
    expect(first.cause).toBe('own');
    const worst = first.values.find((v) => !v.ok)!;
    expect(worst.ownError).toBeGreaterThan(100 * worst.allowed);
    expect(worst.inheritedError).toBeLessThan(worst.allowed);
    expect(worst.worstIndex).toHaveLength(worst.shape.length);
    // Nodes downstream fail too, but only because of what they inherit.
    const downstream = r.nodes.filter((n) => !n.ok && n !== first);
    expect(downstream.length).toBeGreaterThan(0);
    for (const n of downstream) expect(n.cause, n.name).toBe('inherited');
  });
});

describe.skipIf(!haveSharedModels)('solder check', () => {
  const file = modelPath('bert.eager.onnx');
  const inputs = inputsPath('bert.eager.onnx');

  it('passes with --optimize, and exits 1 naming the broken node with --against', async () => {
    const good = await captureStdout(() => checkCommand.run([file, '--inputs', inputs, '--optimize']));
    expect(good.ok).toBe(true);
    expect(good.out).toContain('ok: no node fails');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-check-'));
    try {
      const { graph, broken } = breakOneFusedNode(optimizedFixture('bert.eager.onnx').optimized);
      const brokenFile = path.join(dir, 'broken.onnx');
      save(graph, brokenFile);
      const bad = await captureStdout(() => checkCommand.run([file, '--inputs', inputs, '--against', brokenFile, '--json']));
      expect(bad.ok).toBe(false);
      const report = JSON.parse(bad.out);
      expect(report.firstFailing.name).toBe(broken.name);
      expect(report.firstFailing.cause).toBe('own');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects ambiguous or missing options as usage errors', async () => {
    await expect(checkCommand.run([file, '--inputs', inputs])).rejects.toThrow(/exactly one of --optimize or --against/);
    await expect(checkCommand.run([file, '--optimize'])).rejects.toThrow(/--inputs FILE.safetensors is required/);
    await expect(checkCommand.run([file, '--inputs', inputs, '--optimize', '--k', '0.5'])).rejects.toThrow(/--k must be at least 1/);
  });
});
