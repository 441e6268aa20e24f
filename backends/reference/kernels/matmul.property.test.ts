// MatMul and Gemm against a direct float64 triple loop, on random (batch-broadcast) shapes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { floatAttr, intAttr } from '../../../ir/attrs.js';
import { type Tensor, makeTensor, numel } from '../../../ir/tensor.js';
import { closeness, randomTensor, runNn, valuesFrom } from '../../../test/nn-run.js';

/** Element of t at a coordinate given for a shape it broadcasts to (right-aligned, size-1 dims repeat). */
function at(t: Tensor, coord: readonly number[]): number {
  let off = 0;
  const lead = coord.length - t.shape.length;
  t.shape.forEach((d, i) => { off = off * d + (d === 1 ? 0 : coord[lead + i]!); });
  return t.data[off]!;
}

/** numpy matmul written out: promote 1-D operands, loop over the broadcast batch, sum over k. */
function directMatmul(a: Tensor, b: Tensor): { shape: number[]; values: number[] } {
  const A = a.shape.length === 1 ? makeTensor(a.dtype, [1, a.shape[0]!], a.data) : a;
  const B = b.shape.length === 1 ? makeTensor(b.dtype, [b.shape[0]!, 1], b.data) : b;
  const [m, k, n] = [A.shape.at(-2)!, A.shape.at(-1)!, B.shape.at(-1)!];
  const ab = A.shape.slice(0, -2);
  const bb = B.shape.slice(0, -2);
  const rank = Math.max(ab.length, bb.length);
  const batch = Array.from({ length: rank }, (_, i) => Math.max(ab[ab.length - rank + i] ?? 1, bb[bb.length - rank + i] ?? 1));
  const values: number[] = [];
  for (let t = 0; t < numel(batch); t++) {
    const coord = batch.map((_, i) => Math.floor(t / numel(batch.slice(i + 1))) % batch[i]!);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let kk = 0; kk < k; kk++) sum += at(A, [...coord, i, kk]) * at(B, [...coord, kk, j]);
      values.push(sum);
    }
  }
  return { shape: [...batch, ...(a.shape.length === 1 ? [] : [m]), ...(b.shape.length === 1 ? [] : [n])], values };
}

/** Random operand shapes that broadcast: batch dims shared, some set to 1 or dropped on one side. */
const matmulShapes = fc.record({
  batch: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 3 }),
  ones: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 3, maxLength: 3 }),
  dropA: fc.integer({ min: 0, max: 3 }),
  dropB: fc.integer({ min: 0, max: 3 }),
  m: fc.integer({ min: 1, max: 4 }), k: fc.integer({ min: 1, max: 5 }), n: fc.integer({ min: 1, max: 4 }),
  vecA: fc.boolean(), vecB: fc.boolean(),
  seed: fc.integer(),
}).map((r) => {
  const aBatch = r.batch.map((d, i) => (r.ones[i] === 1 ? 1 : d)).slice(Math.min(r.dropA, r.batch.length));
  const bBatch = r.batch.map((d, i) => (r.ones[i] === 2 ? 1 : d)).slice(Math.min(r.dropB, r.batch.length));
  const a = r.vecA ? [r.k] : [...aBatch, r.m, r.k];
  const b = r.vecB ? [r.k] : [...bBatch, r.k, r.n];
  return { a, b, seed: r.seed };
});

describe('MatMul matches a direct triple loop', () => {
  it('on random batch-broadcast shapes (float64, exact up to summation order)', () => {
    fc.assert(fc.property(matmulShapes, ({ a, b, seed }) => {
      const next = valuesFrom(seed);
      const [ta, tb] = [randomTensor(a, next), randomTensor(b, next)];
      const [y] = runNn('MatMul', [ta, tb]);
      const want = directMatmul(ta, tb);
      expect(y!.shape).toEqual(want.shape);
      expect(closeness(y!.data, want.values, 1e-12)).toBeUndefined();
    }), { numRuns: 200 });
  });

  it('in float32, within float32 rounding of the float64 result', () => {
    fc.assert(fc.property(matmulShapes, ({ a, b, seed }) => {
      const next = valuesFrom(seed);
      const [ta, tb] = [randomTensor(a, next, 'float32'), randomTensor(b, next, 'float32')];
      const [y] = runNn('MatMul', [ta, tb]);
      expect(y!.dtype).toBe('float32');
      expect(closeness(y!.data, directMatmul(ta, tb).values, 2e-7)).toBeUndefined();
    }), { numRuns: 50 });
  });
});

describe('Gemm matches alpha * op(A) @ op(B) + beta * C written out', () => {
  const cShapes = (m: number, n: number) => [undefined, [], [n], [1, n], [m, 1], [m, n], [1]];
  it('for random trans flags, alpha, beta and C broadcasts', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }),
      fc.boolean(), fc.boolean(), fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }),
      fc.nat(6), fc.integer(),
      (m, k, n, transA, transB, alpha, beta, cPick, seed) => {
        const next = valuesFrom(seed);
        const a = randomTensor(transA ? [k, m] : [m, k], next);
        const b = randomTensor(transB ? [n, k] : [k, n], next);
        const cShape = cShapes(m, n)[cPick];
        const c = cShape === undefined ? undefined : randomTensor(cShape, next);
        const attrs = { alpha: floatAttr(alpha), beta: floatAttr(beta), transA: intAttr(transA ? 1 : 0), transB: intAttr(transB ? 1 : 0) };
        const [y] = runNn('Gemm', [a, b, c], attrs);
        const want: number[] = [];
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let kk = 0; kk < k; kk++) sum += (transA ? a.data[kk * m + i]! : a.data[i * k + kk]!) * (transB ? b.data[j * k + kk]! : b.data[kk * n + j]!);
          want.push(alpha * sum + (c === undefined ? 0 : beta * at(c, [i, j])));
        }
        expect(y!.shape).toEqual([m, n]);
        expect(closeness(y!.data, want, 1e-12)).toBeUndefined();
      },
    ), { numRuns: 200 });
  });
});
