// The archive side: stored and deflated entries, strided weights, lazy reads, and the
// one-line errors for broken archives (never a crash or a hang).
import * as fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SolderError } from '../../errors.js';
import { importPt2 } from '../pt2.js';
import { type Pt2Spec, arg, archiveItems, fxNode, writeFile, writePt2, zipBytes } from '../../../test/pt2-archive.js';
import { importSpec, maxAbsDiff, randomValues, runGraph } from '../../../test/pt2-run.js';
import { materialise } from './weights.js';
import { makeTensor, tensorFromBytes } from '../../tensor.js';

/** y = x @ W^T + b with W stored as given (row-major [3, 2], or the strided view of a storage). */
function linearSpec(weight: { values: number[]; strides?: number[]; offset?: number }, extra: Partial<Pt2Spec> = {}): Pt2Spec {
  return {
    inputs: [{ name: 'x', dtype: 'float32', shape: [2, 2] }],
    params: [
      { name: 'fc.weight', dtype: 'float32', shape: [3, 2], ...weight },
      { name: 'fc.bias', dtype: 'float32', shape: [3], values: [0.5, -1, 2] },
    ],
    nodes: [fxNode('aten.linear.default', 'linear', { input: arg.t('x'), weight: arg.t('p_fc_weight'), bias: arg.t('p_fc_bias') })],
    values: { linear: { dtype: 'float32', shape: [2, 3] } },
    outputs: ['linear'],
    ...extra,
  };
}

const W = [1, 2, 3, 4, 5, 6];
const X = makeTensor('float32', [2, 2], [1, -1, 0.5, 2]);
// x @ W^T + b for W = [[1, 2], [3, 4], [5, 6]].
const WANT = [-0.5, -2, 1, 5, 8.5, 16.5];

function expectSolderError(f: () => unknown, ...parts: string[]): SolderError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(SolderError);
  const message = (caught as Error).message;
  expect(message.split('\n')).toHaveLength(1);
  for (const p of parts) expect(message).toContain(p);
  return caught as SolderError;
}

describe('weights', () => {
  it('reads stored and deflated archives alike, named by their qualified names', () => {
    for (const deflate of [false, true]) {
      const g = importSpec(linearSpec({ values: W }, { deflate }));
      expect([...g.initializers.keys()]).toEqual(expect.arrayContaining(['fc.weight', 'fc.bias']));
      expect(maxAbsDiff(runGraph(g, { x: X })[0]!.data, WANT)).toBeLessThan(1e-6);
    }
  });

  it('materialises a transposed view with a storage offset', () => {
    // Storage [pad, 1, 3, 5, 2, 4, 6]: W[i][j] sits at 1 + i + 3 j.
    const g = importSpec(linearSpec({ values: [99, 1, 3, 5, 2, 4, 6], strides: [1, 3], offset: 1 }));
    expect(maxAbsDiff(runGraph(g, { x: X })[0]!.data, WANT)).toBeLessThan(1e-6);
  });

  it('materialise agrees with direct strided indexing for any permutation', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), fc.integer(), (shape, seed) => {
        const perm = shape.map((_, i) => i).sort((a, b) => randomValues(1, seed + a)[0]! - randomValues(1, seed + b)[0]!);
        const storageShape = perm.map((p) => shape[p] as number);
        const storageStrides: number[] = [];
        let acc = 1;
        for (let i = storageShape.length - 1; i >= 0; i--) {
          storageStrides[i] = acc;
          acc *= storageShape[i] as number;
        }
        const strides = shape.map((_, axis) => storageStrides[perm.indexOf(axis)] as number);
        const storage = new Uint8Array(acc).map((_, i) => i % 251);
        const out = materialise(storage, { shape, strides, offset: 0, elementBytes: 1 });
        let i = 0;
        const visit = (axis: number, at: number): void => {
          if (axis === shape.length) {
            expect(out[i++]).toBe(storage[at]);
            return;
          }
          for (let k = 0; k < (shape[axis] as number); k++) visit(axis + 1, at + k * (strides[axis] as number));
        };
        visit(0, 0);
      }),
      { numRuns: 50 },
    );
  });

  it('reads weight bytes only when asked, from the file as it is then', () => {
    const file = writePt2(linearSpec({ values: W }));
    const g = importPt2(file);
    const later = [6, 5, 4, 3, 2, 1];
    fs.writeFileSync(file, zipBytes(archiveItems(linearSpec({ values: later }))));
    const weight = g.initializers.get('fc.weight')!;
    expect(Array.from(tensorFromBytes('float32', [3, 2], weight.bytes.read()).data)).toEqual(later);
    fs.truncateSync(file, 40);
    expectSolderError(() => weight.bytes.read(), file, 'weight_0');
  });

  it('rejects a weight file of the wrong size, naming the file and the node', () => {
    const spec = linearSpec({ values: W }, {
      tamper: (items) => items.map((i) => (i.name.endsWith('weight_0') ? { ...i, data: i.data.subarray(0, 20) } : i)),
    });
    const file = writePt2(spec);
    const e = expectSolderError(() => importPt2(file), file, 'data/weights/weight_0', 'p_fc_weight', '24');
    expect(e.place.node).toBe('p_fc_weight');
  });
});

describe('broken archives', () => {
  const good = () => zipBytes(archiveItems(linearSpec({ values: W })));

  it('a truncated zip is a SolderError naming the file', () => {
    const bytes = good();
    for (const keep of [0, 10, 21, bytes.length >> 1, bytes.length - 1]) {
      const file = writeFile(bytes.subarray(0, keep));
      expectSolderError(() => importPt2(file), file);
    }
  });

  it('a zip without models/model.json says what is missing', () => {
    const file = writeFile(zipBytes(archiveItems(linearSpec({ values: W })).filter((i) => !i.name.endsWith('model.json'))));
    expectSolderError(() => importPt2(file), file, 'models/model.json');
  });

  it('a model.json that is not JSON, or not a program, is a SolderError', () => {
    for (const text of ['{"graph_module": ', '{"hello": 1}']) {
      const items = archiveItems(linearSpec({ values: W })).map((i) => (i.name.endsWith('models/model.json') ? { ...i, data: new TextEncoder().encode(text) } : i));
      const file = writeFile(zipBytes(items));
      expectSolderError(() => importPt2(file), file, 'model.json');
    }
  });

  it('a missing file is a SolderError', () => {
    expectSolderError(() => importPt2('/nonexistent/model.pt2'), '/nonexistent/model.pt2', 'ENOENT');
  });

  it('an op without a mapping names the file, node and aten op', () => {
    const file = writePt2({
      inputs: [{ name: 'x', dtype: 'float32', shape: [2] }],
      nodes: [fxNode('aten.fft_fft.default', 'fft', { self: arg.t('x') })],
      values: { fft: { dtype: 'float32', shape: [2] } },
      outputs: ['fft'],
    });
    const e = expectSolderError(() => importPt2(file), file, "node 'fft'", 'aten.fft_fft.default');
    expect(e.place).toMatchObject({ file, node: 'fft', op: 'aten.fft_fft.default' });
  });
});
