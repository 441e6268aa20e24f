// solder::Gelu, Linear and GatedMLP against float64 ONNX compositions (MatMul, Add, Erf, Tanh, ...).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringAttr } from '../../../../ir/attrs.js';
import { LINEAR_ACTIVATIONS } from '../../../../ir/ops/fused/linear.js';
import { type Tensor, makeTensor } from '../../../../ir/tensor.js';
import { type Nd, add, div, erfByQuadrature, fromTensor, map, matmul, mismatch, mul, reshape, scalar, size, values } from '../../../../test/float64-onnx.js';
import { runOp } from '../../../../test/run-op.js';

const TOL = { float32: { rtol: 2e-6, atol: 2e-6 }, float64: { rtol: 1e-11, atol: 1e-11 } } as const;

// Each activation as the ONNX ops an exporter writes for it.
const sigmoid = (a: Nd) => map(a, (v) => 1 / (1 + Math.exp(-v)));
const ACTIVATIONS: Record<string, (a: Nd) => Nd> = {
  none: (a) => a,
  relu: (a) => map(a, (v) => Math.max(v, 0)),
  gelu: (a) => mul(mul(a, scalar(0.5)), add(map(div(a, scalar(Math.SQRT2)), erfByQuadrature), scalar(1))),
  gelu_tanh: (a) => {
    const cube = mul(mul(a, a), a);
    const inner = mul(add(a, mul(cube, scalar(0.044715))), scalar(Math.sqrt(2 / Math.PI)));
    return mul(mul(a, scalar(0.5)), add(map(inner, Math.tanh), scalar(1)));
  },
  silu: (a) => mul(a, sigmoid(a)),
  tanh: (a) => map(a, Math.tanh),
  sigmoid,
};

/** MatMul for x of any rank >= 1 against a 2-D weight (1-D x promoted as ONNX does). */
function project(x: Nd, w: Nd): Nd {
  if (x.shape.length > 1) return matmul(x, w);
  const y = matmul(reshape(x, [1, x.shape[0]!]), w);
  return reshape(y, [w.shape[1]!]);
}

const caseArb = fc.record({
  lead: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
  k: fc.integer({ min: 1, max: 6 }),
  n: fc.integer({ min: 1, max: 6 }),
  activation: fc.constantFrom(...LINEAR_ACTIVATIONS),
  gate: fc.constantFrom('silu' as const, 'gelu' as const, 'gelu_tanh' as const),
  withBias: fc.boolean(),
  residual: fc.constantFrom('none', 'full', 'row'),
  dtype: fc.constantFrom('float32' as const, 'float64' as const),
  seed: fc.integer(),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

const make = (c: Case, shape: number[], seed: number): Tensor => makeTensor(c.dtype, shape, values(seed, size(shape)));

function check(c: Case, got: Tensor, want: Nd): void {
  expect(got.shape).toEqual(want.shape);
  expect(mismatch(got.data, want.data, TOL[c.dtype].rtol, TOL[c.dtype].atol)).toBeUndefined();
}

describe('solder linear-family reference kernels', () => {
  it('Linear matches act(MatMul(x, W) + b) + residual', () => {
    fc.assert(fc.property(caseArb, (c) => {
      const x = make(c, [...c.lead, c.k], c.seed);
      const w = make(c, [c.k, c.n], c.seed + 1);
      const b = c.withBias ? make(c, [c.n], c.seed + 2) : undefined;
      const outShape = [...c.lead, c.n];
      const r = c.residual === 'none' ? undefined : make(c, c.residual === 'full' ? outShape : [c.n], c.seed + 3);
      const [y] = runOp('Linear', [x, w, b, r], { activation: stringAttr(c.activation) });
      let want = project(fromTensor(x), fromTensor(w));
      if (b !== undefined) want = add(want, fromTensor(b));
      want = ACTIVATIONS[c.activation]!(want);
      if (r !== undefined) want = add(want, fromTensor(r));
      check(c, y!, want);
    }), { numRuns: 150 });
  });

  it('GatedMLP matches act(MatMul(x, Wg)) * MatMul(x, Wu)', () => {
    fc.assert(fc.property(caseArb, (c) => {
      const x = make(c, [...c.lead, c.k], c.seed);
      const wg = make(c, [c.k, c.n], c.seed + 1);
      const wu = make(c, [c.k, c.n], c.seed + 2);
      const [y] = runOp('GatedMLP', [x, wg, wu], { activation: stringAttr(c.gate) });
      check(c, y!, mul(ACTIVATIONS[c.gate]!(project(fromTensor(x), fromTensor(wg))), project(fromTensor(x), fromTensor(wu))));
    }), { numRuns: 100 });
  });

  it('Gelu matches the erf and tanh compositions, including large |x|', () => {
    fc.assert(fc.property(caseArb, fc.constantFrom('none', 'tanh'), fc.double({ min: 0.5, max: 8, noNaN: true }), (c, approximate, range) => {
      const shape = [...c.lead, c.k];
      const x = makeTensor(c.dtype, shape, values(c.seed, size(shape), range));
      const [y] = runOp('Gelu', [x], { approximate: stringAttr(approximate) });
      check(c, y!, ACTIVATIONS[approximate === 'none' ? 'gelu' : 'gelu_tanh']!(fromTensor(x)));
    }), { numRuns: 100 });
  });

  it('rejects an unknown activation, naming the node', () => {
    const x = makeTensor('float32', [2], [1, 2]);
    const w = makeTensor('float32', [2, 2], [1, 2, 3, 4]);
    expect(() => runOp('Linear', [x, w], { activation: stringAttr('swish') })).toThrow(/test\/Linear.*'swish'/);
  });
});
