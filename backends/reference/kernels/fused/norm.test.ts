// solder::LayerNorm, RMSNorm, SkipLayerNorm, SkipRMSNorm against float64 ONNX compositions
// (ReduceMean, Sub, Mul, Div, Sqrt, Add).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AttrValue, floatAttr, intAttr } from '../../../../ir/attrs.js';
import { type Tensor, makeTensor } from '../../../../ir/tensor.js';
import { type Nd, add, div, fromTensor, map, mismatch, mul, reduceMean, scalar, size, sub, values } from '../../../../test/float64-onnx.js';
import { runOp } from '../../../../test/run-op.js';

const TOL = { float32: { rtol: 2e-6, atol: 2e-6 }, float64: { rtol: 1e-11, atol: 1e-11 } } as const;

function layerNorm(x: Nd, axis: number, eps: number, w: Nd, b: Nd | undefined): Nd {
  const centered = sub(x, reduceMean(x, axis));
  const variance = reduceMean(mul(centered, centered), axis);
  const y = mul(div(centered, map(add(variance, scalar(eps)), Math.sqrt)), w);
  return b === undefined ? y : add(y, b);
}

function rmsNorm(x: Nd, axis: number, eps: number, w: Nd, offset: number): Nd {
  const meanSquare = reduceMean(mul(x, x), axis);
  return mul(div(x, map(add(meanSquare, scalar(eps)), Math.sqrt)), add(w, scalar(offset)));
}

const caseArb = fc.record({
  shape: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
  axisPick: fc.nat(),
  weightDrop: fc.nat(),
  skipDrop: fc.nat(),
  epsilon: fc.double({ min: 1e-6, max: 1e-2, noNaN: true }),
  offset: fc.constantFrom(0, 1),
  withBias: fc.boolean(),
  dtype: fc.constantFrom('float32' as const, 'float64' as const),
  seed: fc.integer(),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function tensors(c: Case) {
  const rank = c.shape.length;
  const axis = (c.axisPick % (2 * rank)) - rank;
  const inner = c.shape.slice(axis < 0 ? axis + rank : axis);
  // weight/bias/skip may leave out leading dims: they broadcast.
  const weightShape = inner.slice(c.weightDrop % inner.length);
  const skipShape = c.shape.slice(c.skipDrop % rank);
  const make = (shape: number[], seed: number): Tensor => makeTensor(c.dtype, shape, values(seed, size(shape)));
  return {
    axis,
    x: make(c.shape, c.seed),
    skip: make(skipShape, c.seed + 1),
    weight: make(weightShape, c.seed + 2),
    bias: c.withBias ? make(weightShape, c.seed + 3) : undefined,
  };
}

function check(c: Case, got: Tensor, want: Nd): void {
  expect(got.shape).toEqual(want.shape);
  expect(mismatch(got.data, want.data, TOL[c.dtype].rtol, TOL[c.dtype].atol)).toBeUndefined();
}

const attrsOf = (c: Case, axis: number, rms: boolean): Record<string, AttrValue> => ({
  axis: intAttr(axis), epsilon: floatAttr(c.epsilon), ...(rms ? { offset: intAttr(c.offset) } : {}),
});

/** x + skip as the unfused Add stores it: rounded to the graph's dtype. */
const storedSum = (c: Case, x: Tensor, skip: Tensor) => map(add(fromTensor(x), fromTensor(skip)), c.dtype === 'float32' ? Math.fround : (v) => v);

describe('solder norm reference kernels', () => {
  it('LayerNorm matches ReduceMean/Sub/Div/Sqrt composition', () => {
    fc.assert(fc.property(caseArb, (c) => {
      const { axis, x, weight, bias } = tensors(c);
      const [out] = runOp('LayerNorm', [x, weight, bias], attrsOf(c, axis, false));
      const rank = x.shape.length;
      check(c, out!, layerNorm(fromTensor(x), axis < 0 ? axis + rank : axis, c.epsilon, fromTensor(weight), bias && fromTensor(bias)));
    }), { numRuns: 120 });
  });

  it('RMSNorm matches x / sqrt(mean(x²) + eps) * (offset + w)', () => {
    fc.assert(fc.property(caseArb, (c) => {
      const { axis, x, weight } = tensors(c);
      const [out] = runOp('RMSNorm', [x, weight], attrsOf(c, axis, true));
      const rank = x.shape.length;
      check(c, out!, rmsNorm(fromTensor(x), axis < 0 ? axis + rank : axis, c.epsilon, fromTensor(weight), c.offset));
    }), { numRuns: 120 });
  });

  it('SkipLayerNorm and SkipRMSNorm normalize x + skip and return the sum', () => {
    fc.assert(fc.property(caseArb, (c) => {
      const { axis, x, skip, weight, bias } = tensors(c);
      const positive = axis < 0 ? axis + x.shape.length : axis;
      const sum = storedSum(c, x, skip);
      const [ln, lnSum] = runOp('SkipLayerNorm', [x, skip, weight, bias], attrsOf(c, axis, false));
      check(c, ln!, layerNorm(sum, positive, c.epsilon, fromTensor(weight), bias && fromTensor(bias)));
      check(c, lnSum!, sum);
      const [rms, rmsSum] = runOp('SkipRMSNorm', [x, skip, weight], attrsOf(c, axis, true));
      check(c, rms!, rmsNorm(sum, positive, c.epsilon, fromTensor(weight), c.offset));
      check(c, rmsSum!, sum);
    }), { numRuns: 120 });
  });

  it('rejects a weight that does not fit the normalized dims, naming the node', () => {
    const x = makeTensor('float32', [2, 3], values(1, 6));
    const w = makeTensor('float32', [2], [1, 2]);
    expect(() => runOp('LayerNorm', [x, w], {})).toThrow(/test\/LayerNorm.*weight \[2\] does not broadcast to \[3\]/);
  });
});
