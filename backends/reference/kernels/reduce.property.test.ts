// Property tests: reductions and ArgMax/ArgMin over random shapes and axes, against a direct
// float64 implementation that gathers each output element's values by coordinates; and
// their shape inference, with axes known and with axes computed at run time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AttrValue, intAttr, intsAttr } from '../../../ir/attrs.js';
import { isKnown } from '../../../ir/dim.js';
import type { DType } from '../../../ir/dtype.js';
import type { Node } from '../../../ir/graph.js';
import { findOp, readAttrs } from '../../../ir/ops/spec.js';
import { type Tensor, makeTensor, numel, roundInPlace } from '../../../ir/tensor.js';
import type { TensorType } from '../../../ir/types.js';
import { coordOf } from '../../../test/float64-onnx.js';
import { findKernel } from '../kernel.js';
import { closeOnScale } from './tolerance.js';
import '../../../ir/ops/index.js';
import './index.js';

const REDUCTIONS: Record<string, (v: readonly number[]) => number> = {
  ReduceSum: (v) => v.reduce((s, x) => s + x, 0),
  ReduceMean: (v) => v.reduce((s, x) => s + x, 0) / v.length,
  ReduceMax: (v) => Math.max(...v),
  ReduceMin: (v) => Math.min(...v),
  ReduceProd: (v) => v.reduce((s, x) => s * x, 1),
  ReduceL1: (v) => v.reduce((s, x) => s + Math.abs(x), 0),
  ReduceL2: (v) => Math.sqrt(v.reduce((s, x) => s + x * x, 0)),
  ReduceLogSum: (v) => Math.log(v.reduce((s, x) => s + x, 0)),
  ReduceLogSumExp: (v) => Math.log(v.reduce((s, x) => s + Math.exp(x), 0)),
  ReduceSumSquare: (v) => v.reduce((s, x) => s + x * x, 0),
};

const shapes = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 });

/** Nonzero values of magnitude 1/4 .. 4; positive for ReduceLogSum so that its log is defined. */
function values(n: number, positive: boolean) {
  const v = fc.tuple(fc.double({ min: 0.25, max: 4, noNaN: true }), fc.boolean()).map(([m, neg]) => (neg && !positive ? -m : m));
  return fc.array(v, { minLength: n, maxLength: n });
}

/** The direct reduction: for each output coordinate, the values of every input coordinate that agrees on the kept axes. */
function directReduce(x: Tensor, axes: readonly number[], keepdims: boolean, fn: (v: readonly number[]) => number, dtype: DType): Tensor {
  const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const n = numel(keptShape);
  const out = Array.from({ length: n }, (_, o) => {
    const oc = coordOf(o, keptShape);
    const group: number[] = [];
    for (let i = 0; i < x.data.length; i++) {
      const ic = coordOf(i, x.shape);
      if (ic.every((c, d) => axes.includes(d) || c === oc[d])) group.push(x.data[i]!);
    }
    return fn(group);
  });
  const shape = keepdims ? keptShape : x.shape.filter((_, i) => !axes.includes(i));
  return makeTensor(dtype, shape, out);
}

function node(op: string, inputs: number, attrs: Record<string, AttrValue>): Node {
  return { name: `prop_${op}`, op, domain: '', inputs: Array.from({ length: inputs }, (_, i) => `in${i}`), outputs: ['out'], attrs };
}

function run(n: Node, inputs: readonly Tensor[]): Tensor {
  const out = findKernel('', n.op)!(inputs, n)[0]!;
  roundInPlace(out.dtype, out.data);
  return out;
}

function infer(n: Node, inputs: readonly Tensor[], constants: boolean): TensorType {
  const spec = findOp('', n.op)!;
  return spec.infer({
    node: n,
    inputs: inputs.map((t) => ({ dtype: t.dtype, shape: t.shape })),
    attrs: readAttrs(spec, n),
    constant: (i) => (constants ? inputs[i] : undefined),
  })[0]!;
}

// A log of a sum carries the sum's relative rounding as an absolute error: log(s(1+e)) = log(s) + e.
// Near log(s) = 0 that is a large relative error in any correct implementation (stable or naive
// summation order differ there), so those results are compared on an absolute scale of at least 1.
const LOG_REDUCTIONS = new Set(['ReduceLogSum', 'ReduceLogSumExp']);

function expectSameValues(got: Tensor, want: Tensor, op: string): void {
  expect(got.shape).toEqual(want.shape);
  const close = (v: number, w: number) => closeOnScale(want.dtype, v, w, LOG_REDUCTIONS.has(op) ? 1 : 0);
  const bad = Array.from(got.data).findIndex((v, i) => !close(v, want.data[i]!));
  if (bad >= 0) expect(Array.from(got.data)).toEqual(Array.from(want.data));
}

/** A shape, the axes to reduce (a random subset, in random order and sign), and how they are given. */
const reduction = shapes.chain((shape) =>
  fc.record({
    shape: fc.constant(shape),
    axes: fc.shuffledSubarray(shape.map((_, i) => i)).chain((axes) =>
      fc.tuple(...axes.map((a) => fc.constantFrom(a, a - shape.length))).map((signed) => signed as number[])),
    keepdims: fc.boolean(),
    asInput: fc.boolean(),
    noop: fc.boolean(),
    dtype: fc.constantFrom<DType>('float32', 'float64'),
  }));

describe('reductions', () => {
  for (const [op, fn] of Object.entries(REDUCTIONS)) {
    it(`${op} over random axes agrees with a direct float64 implementation`, () => {
      const arb = reduction.chain((r) => fc.tuple(fc.constant(r), values(numel(r.shape), op === 'ReduceLogSum')));
      fc.assert(fc.property(arb, ([r, v]) => {
        const x = makeTensor(r.dtype, r.shape, v);
        const attrs: Record<string, AttrValue> = { keepdims: intAttr(r.keepdims ? 1 : 0), noop_with_empty_axes: intAttr(r.noop ? 1 : 0) };
        const inputs = [x];
        if (r.asInput) inputs.push(makeTensor('int64', [r.axes.length], r.axes));
        else if (r.axes.length > 0) attrs.axes = intsAttr(r.axes);
        const n = node(op, inputs.length, attrs);
        const got = run(n, inputs);
        const noop = r.axes.length === 0 && r.noop;
        const axes = r.axes.length === 0 ? r.shape.map((_, i) => i) : r.axes.map((a) => (a < 0 ? a + r.shape.length : a));
        const want = noop ? x : directReduce(x, axes, r.keepdims, fn, r.dtype);
        expectSameValues(got, want, op);
        expect(infer(n, inputs, true)).toEqual({ dtype: r.dtype, shape: want.shape });
        // Axes known only at run time: the rank (and any dim inference claims) must still hold.
        const typesOnly = infer(n, inputs, false);
        if (r.asInput && typesOnly.shape !== undefined) {
          expect(typesOnly.shape.length).toBe(want.shape.length);
          typesOnly.shape.forEach((d, i) => isKnown(d) && expect(d).toBe(want.shape[i]));
        }
      }), { numRuns: 60 });
    });
  }
});

describe('ArgMax and ArgMin', () => {
  for (const op of ['ArgMax', 'ArgMin']) {
    it(`${op} picks the first (or last) extreme index along a random axis`, () => {
      // Small integers make ties common, so select_last_index matters.
      const arb = shapes.filter((s) => s.length > 0).chain((shape) =>
        fc.record({
          shape: fc.constant(shape),
          axis: fc.integer({ min: -shape.length, max: shape.length - 1 }),
          keepdims: fc.boolean(),
          last: fc.boolean(),
          values: fc.array(fc.integer({ min: -3, max: 3 }), { minLength: numel(shape), maxLength: numel(shape) }),
        }));
      fc.assert(fc.property(arb, (r) => {
        const x = makeTensor('float32', r.shape, r.values);
        const axis = r.axis < 0 ? r.axis + r.shape.length : r.axis;
        const better = op === 'ArgMax' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
        const n = node(op, 1, { axis: intAttr(r.axis), keepdims: intAttr(r.keepdims ? 1 : 0), select_last_index: intAttr(r.last ? 1 : 0) });
        const got = run(n, [x]);
        // Along the axis, values arrive in index order: keep the first strict winner, or the last tie.
        const pick = (group: readonly number[]) =>
          group.reduce((best, v, k) => (better(v, group[best]!) || (r.last && v === group[best]) ? k : best), 0);
        const want = directReduce(x, [axis], r.keepdims, pick, 'int64');
        expect(got.dtype).toBe('int64');
        expectSameValues(got, want, op);
        expect(infer(n, [x], true)).toEqual({ dtype: 'int64', shape: want.shape });
      }), { numRuns: 80 });
    });
  }
});

describe('reduction shape inference', () => {
  const n = (attrs: Record<string, AttrValue>, inputs = 1) => node('ReduceMean', inputs, attrs);
  const spec = () => findOp('', 'ReduceMean')!;
  const inferTypes = (nd: Node, types: TensorType[], axes?: Tensor) =>
    spec().infer({ node: nd, inputs: types, attrs: readAttrs(spec(), nd), constant: (i) => (i === 1 ? axes : undefined) })[0]!;
  const batch = { expr: 'batch', poly: new Map([['batch', 1]]) };
  const x: TensorType = { dtype: 'float32', shape: [batch, 16, 64] };

  it('keeps symbolic dims that are not reduced', () => {
    expect(inferTypes(n({ axes: intsAttr([-1]) }), [x])).toEqual({ dtype: 'float32', shape: [batch, 16, 1] });
    expect(inferTypes(n({ keepdims: intAttr(0) }, 2), [x, { dtype: 'int64', shape: [1] }], makeTensor('int64', [1], [1]))).toEqual({ dtype: 'float32', shape: [batch, 64] });
  });

  it('knows the rank when axes are computed at run time', () => {
    const keep = inferTypes(n({}, 2), [x, { dtype: 'int64', shape: [2] }]);
    expect(keep.shape?.length).toBe(3);
    const drop = inferTypes(n({ keepdims: intAttr(0) }, 2), [x, { dtype: 'int64', shape: [2] }]);
    expect(drop.shape?.length).toBe(1);
    expect(inferTypes(n({ keepdims: intAttr(0) }, 2), [x, { dtype: 'int64', shape: [batch] }])).toEqual({ dtype: 'float32' });
  });

  it('gives an unknown shape for an unknown rank', () => {
    expect(inferTypes(n({ axes: intsAttr([0]) }), [{ dtype: 'float16' }])).toEqual({ dtype: 'float16' });
    const argmax = node('ArgMax', 1, { axis: intAttr(1) });
    const argSpec = findOp('', 'ArgMax')!;
    expect(argSpec.infer({ node: argmax, inputs: [x], attrs: readAttrs(argSpec, argmax), constant: () => undefined })[0]).toEqual({ dtype: 'int64', shape: [batch, 1, 64] });
  });
});
