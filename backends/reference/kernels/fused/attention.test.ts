// solder::Attention against softmax(q·kᵀ·scale + mask) · v composed from float64 ONNX ops.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { floatAttr, intAttr } from '../../../../ir/attrs.js';
import { makeTensor } from '../../../../ir/tensor.js';
import {
  type Nd, add, expand, fromTensor, matmul, mismatch, mul, nd, reshape, scalar, softmaxLast, transpose, values, where,
} from '../../../../test/float64-onnx.js';
import { runOp } from '../../../../test/run-op.js';

const TOL = { float32: { rtol: 2e-6, atol: 1e-6 }, float64: { rtol: 1e-12, atol: 1e-12 } } as const;

/** HF's repeat_kv: Reshape(Expand(Unsqueeze(x, 2))) from [b, kvh, s, d] to [b, kvh*group, s, d]. */
function repeatKv(x: Nd, group: number): Nd {
  const [b, h, s, d] = x.shape as [number, number, number, number];
  return reshape(expand(reshape(x, [b, h, 1, s, d]), [b, h, group, s, d]), [b, h * group, s, d]);
}

function composedAttention(q: Nd, k: Nd, v: Nd, mask: Nd | undefined, maskIsBool: boolean, scale: number, causal: boolean): Nd {
  const group = q.shape[1]! / k.shape[1]!;
  let scores = mul(matmul(q, transpose(repeatKv(k, group), [0, 1, 3, 2])), scalar(scale));
  if (mask !== undefined) scores = maskIsBool ? where(mask, scores, scalar(-Infinity)) : add(scores, mask);
  if (causal) {
    const [qSeq, kvSeq] = [q.shape[2]!, k.shape[2]!];
    const band = Array.from({ length: qSeq * kvSeq }, (_, f) => (f % kvSeq > Math.floor(f / kvSeq) + kvSeq - qSeq ? -Infinity : 0));
    scores = add(scores, nd([qSeq, kvSeq], band));
  }
  return matmul(softmaxLast(scores), repeatKv(v, group));
}

const MASKS = ['none', 'padding', 'full-additive', 'bool-padding', 'bool-full'] as const;

const caseArb = fc.record({
  batch: fc.integer({ min: 1, max: 2 }),
  kvHeads: fc.integer({ min: 1, max: 3 }),
  group: fc.integer({ min: 1, max: 3 }),
  qSeq: fc.integer({ min: 1, max: 5 }),
  kvSeq: fc.integer({ min: 1, max: 6 }),
  headDim: fc.integer({ min: 1, max: 8 }),
  valueDim: fc.integer({ min: 1, max: 8 }),
  mask: fc.constantFrom(...MASKS),
  causal: fc.boolean(),
  dtype: fc.constantFrom('float32' as const, 'float64' as const),
  scale: fc.double({ min: 0.05, max: 2, noNaN: true }),
  seed: fc.integer(),
});

/** The mask tensor of a case: HF-style padding rows [b, 1, 1, kv] or full [b, 1, q, kv]. */
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function maskFor(c: Case) {
  if (c.mask === 'none') return undefined;
  const full = c.mask === 'full-additive' || c.mask === 'bool-full';
  const shape = full ? [c.batch, 1, c.qSeq, c.kvSeq] : [c.batch, 1, 1, c.kvSeq];
  const raw = values(c.seed ^ 0x5bd1e995, shape.reduce((a, b) => a * b, 1));
  if (c.mask.startsWith('bool')) return makeTensor('bool', shape, raw.map((r) => (r > -1.2 ? 1 : 0)));
  // Additive: a mix of 0, finite biases and HF's large negative fill.
  return makeTensor(c.dtype, shape, raw.map((r) => (r < -1.2 ? -1e9 : r > 1 ? 0 : r)));
}

describe('solder::Attention reference kernel', () => {
  it('matches the eager composition for random shapes, GQA, masks and causal', () => {
    fc.assert(fc.property(caseArb, (c) => {
      const qHeads = c.kvHeads * c.group;
      const q = makeTensor(c.dtype, [c.batch, qHeads, c.qSeq, c.headDim], values(c.seed, c.batch * qHeads * c.qSeq * c.headDim));
      const k = makeTensor(c.dtype, [c.batch, c.kvHeads, c.kvSeq, c.headDim], values(c.seed + 1, c.batch * c.kvHeads * c.kvSeq * c.headDim));
      const v = makeTensor(c.dtype, [c.batch, c.kvHeads, c.kvSeq, c.valueDim], values(c.seed + 2, c.batch * c.kvHeads * c.kvSeq * c.valueDim));
      const mask = maskFor(c);
      const [out] = runOp('Attention', [q, k, v, mask], { scale: floatAttr(c.scale), causal: intAttr(c.causal ? 1 : 0) });
      const want = composedAttention(fromTensor(q), fromTensor(k), fromTensor(v), mask && fromTensor(mask), mask?.dtype === 'bool', c.scale, c.causal);
      expect(out!.shape).toEqual(want.shape);
      expect(mismatch(out!.data, want.data, TOL[c.dtype].rtol, TOL[c.dtype].atol)).toBeUndefined();
    }), { numRuns: 150 });
  });

  it('aligns causal bottom-right: with q_seq < kv_seq the last query sees every key', () => {
    const q = makeTensor('float64', [1, 1, 2, 2], [1, 0.5, -0.5, 1]);
    const k = makeTensor('float64', [1, 1, 4, 2], values(3, 8));
    const v = makeTensor('float64', [1, 1, 4, 1], [1, 10, 100, 1000]);
    const [causal] = runOp('Attention', [q, k, v], { scale: floatAttr(1), causal: intAttr(1) });
    const [open] = runOp('Attention', [q, k, v], { scale: floatAttr(1), causal: intAttr(0) });
    expect(causal!.data[1]).toBeCloseTo(open!.data[1]!, 12);
    // The first of the two queries sees keys 0..2 only, so the 1000 of key 3 is absent.
    expect(causal!.data[0]).toBeLessThan(100);
  });

  it('gives NaN for a row whose every key is masked, like eager softmax', () => {
    const q = makeTensor('float32', [1, 1, 1, 2], [1, 2]);
    const k = makeTensor('float32', [1, 1, 2, 2], [1, -1, 0.5, 2]);
    const v = makeTensor('float32', [1, 1, 2, 2], [1, 2, 3, 4]);
    const mask = makeTensor('bool', [1, 1, 1, 2], [0, 0]);
    const [out] = runOp('Attention', [q, k, v, mask], { scale: floatAttr(0.5) });
    expect(Array.from(out!.data).every(Number.isNaN)).toBe(true);
  });

  it('rejects q heads that are not a multiple of kv heads, naming the node', () => {
    const q = makeTensor('float32', [1, 3, 1, 2], values(1, 6));
    const kv = makeTensor('float32', [1, 2, 1, 2], values(2, 4));
    expect(() => runOp('Attention', [q, kv, kv], { scale: floatAttr(1) })).toThrow(/test\/Attention.*multiple of kv heads/);
  });
});
