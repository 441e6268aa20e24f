// Property tests: broadcasting binary, ternary and variadic kernels, and their shape
// inference (concrete and symbolic), against a direct float64 implementation that maps
// every output coordinate to its operands' coordinates.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Dim, sym } from '../../../ir/dim.js';
import type { DType } from '../../../ir/dtype.js';
import type { Node } from '../../../ir/graph.js';
import { type AttrValue, intAttr } from '../../../ir/attrs.js';
import { findOp, readAttrs } from '../../../ir/ops/spec.js';
import { type Tensor, makeTensor, numel, roundInPlace } from '../../../ir/tensor.js';
import type { TensorType } from '../../../ir/types.js';
import { coordOf } from '../../../test/float64-onnx.js';
import { findKernel } from '../kernel.js';
import { closeTo } from './tolerance.js';
import '../../../ir/ops/index.js';
import './index.js';

/**
 * Operand shapes that broadcast together, and their broadcast: each operand keeps a suffix
 * of a target shape with some dims set to 1, so that the broadcast is, per aligned axis,
 * the largest dim (which drops the target's dims no operand kept).
 */
export function broadcastShapes(operands: number) {
  const target = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 });
  const operand = (out: number[]) =>
    fc.tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }))
      .map(([drop, ones]) => out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
  return target
    .chain((out) => fc.array(operand(out), { minLength: operands, maxLength: operands }))
    .map((shapes) => [broadcastOf(shapes), shapes] as const);
}

function broadcastOf(shapes: readonly number[][]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, i) => Math.max(1, ...shapes.map((s) => s[i - (rank - s.length)] ?? 1)));
}

/** Nonzero values of magnitude 1/4 .. 4 (so Div, Mod and Pow stay finite and nothing is all zero). */
export function valuesFor(shape: readonly number[], integer: boolean) {
  const n = numel(shape);
  const value = integer
    ? fc.integer({ min: 1, max: 9 }).chain((m) => fc.constantFrom(m, -m))
    : fc.tuple(fc.double({ min: 0.25, max: 4, noNaN: true }), fc.boolean()).map(([m, neg]) => (neg ? -m : m));
  return fc.array(value, { minLength: n, maxLength: n });
}

/** Flat offset of the operand element an output coordinate reads, by numpy's rule. */
function operandOffset(shape: readonly number[], outCoord: readonly number[]): number {
  let offset = 0;
  const lead = outCoord.length - shape.length;
  shape.forEach((d, j) => {
    offset = offset * d + (d === 1 ? 0 : outCoord[lead + j]!);
  });
  return offset;
}

/** fn over the operands broadcast to outShape, computed coordinate by coordinate. */
function directBroadcast(operands: readonly Tensor[], outShape: readonly number[], outDtype: DType, fn: (...v: number[]) => number): Tensor {
  const values = Array.from({ length: numel(outShape) }, (_, flat) => {
    const coord = coordOf(flat, outShape);
    return fn(...operands.map((t) => t.data[operandOffset(t.shape, coord)]!));
  });
  return makeTensor(outDtype, outShape, values);
}

function node(op: string, inputs: number, attrs: Record<string, AttrValue> = {}): Node {
  return { name: `prop_${op}`, op, domain: '', inputs: Array.from({ length: inputs }, (_, i) => `in${i}`), outputs: ['out'], attrs };
}

/** Runs a node's kernel as the interpreter does (outputs rounded to their dtype). */
function run(n: Node, inputs: readonly Tensor[]): Tensor {
  const out = findKernel('', n.op)!(inputs, n)[0]!;
  roundInPlace(out.dtype, out.data);
  return out;
}

function infer(n: Node, types: readonly (TensorType | undefined)[]): TensorType[] {
  const spec = findOp('', n.op)!;
  const inputs = types.map((t) => (t === undefined ? undefined : t.shape === undefined ? { dtype: t.dtype } : { dtype: t.dtype, shape: t.shape }));
  return spec.infer({ node: n, inputs, attrs: readAttrs(spec, n), constant: () => undefined });
}

function expectSameValues(got: Tensor, want: Tensor): void {
  expect(got.dtype).toBe(want.dtype);
  expect(got.shape).toEqual(want.shape);
  const bad = Array.from(got.data).findIndex((v, i) => !closeTo(want.dtype, v, want.data[i]!));
  if (bad >= 0) expect(Array.from(got.data)).toEqual(Array.from(want.data));
}

interface BinaryCase {
  readonly op: string;
  readonly dtype: DType;
  readonly out?: DType;
  readonly attrs?: Record<string, AttrValue>;
  /** Makes operand values valid for the op (Pow's base must be positive for fractional exponents). */
  readonly prepare?: (values: number[], operand: number) => number[];
  readonly fn: (a: number, b: number) => number;
}

/** C fmod's zero takes the dividend's sign. */
const withSignOf = (a: number, r: number) => (r === 0 ? (a < 0 ? -0 : 0) : r);
const trunc = (a: number, b: number) => Math.trunc(a / b);
const BINARY: BinaryCase[] = [
  { op: 'Add', dtype: 'float32', fn: (a, b) => a + b },
  { op: 'Sub', dtype: 'float32', fn: (a, b) => a - b },
  { op: 'Mul', dtype: 'float32', fn: (a, b) => a * b },
  { op: 'Div', dtype: 'float32', fn: (a, b) => a / b },
  { op: 'Pow', dtype: 'float32', prepare: (v, i) => (i === 0 ? v.map(Math.abs) : v), fn: (a, b) => Math.exp(b * Math.log(a)) },
  { op: 'Mod', dtype: 'float32', attrs: { fmod: intAttr(1) }, fn: (a, b) => withSignOf(a, a - b * Math.trunc(a / b)) },
  { op: 'PRelu', dtype: 'float32', fn: (a, b) => (a < 0 ? a * b : a) },
  { op: 'Less', dtype: 'float32', out: 'bool', fn: (a, b) => Number(a < b) },
  { op: 'GreaterOrEqual', dtype: 'float32', out: 'bool', fn: (a, b) => Number(a >= b) },
  { op: 'Add', dtype: 'float16', fn: (a, b) => a + b },
  { op: 'Mul', dtype: 'bfloat16', fn: (a, b) => a * b },
  { op: 'Add', dtype: 'int32', fn: (a, b) => a + b },
  { op: 'Div', dtype: 'int32', fn: trunc },
  { op: 'Div', dtype: 'int64', fn: trunc },
  { op: 'Mod', dtype: 'int32', fn: (a, b) => a - b * Math.floor(a / b) },
  { op: 'Equal', dtype: 'int64', out: 'bool', fn: (a, b) => Number(a === b) },
  { op: 'BitwiseAnd', dtype: 'int16', fn: (a, b) => Number(BigInt.asIntN(16, BigInt(a) & BigInt(b))) },
  { op: 'Xor', dtype: 'bool', fn: (a, b) => Number(a > 0 !== b > 0) },
];

describe('broadcasting binary kernels', () => {
  for (const c of BINARY) {
    it(`${c.op} on ${c.dtype} agrees with a direct float64 implementation`, () => {
      const integer = c.dtype !== 'float32' && c.dtype !== 'float16' && c.dtype !== 'bfloat16';
      // PRelu only broadcasts its slope to X, so X takes the full shape.
      const shapes = broadcastShapes(2).map(([out, [a, b]]) => [out, c.op === 'PRelu' ? out : a!, b!] as const);
      const arb = shapes.chain(([out, a, b]) => fc.tuple(fc.constant(out), fc.constant(a), fc.constant(b), valuesFor(a, integer), valuesFor(b, integer)));
      fc.assert(fc.property(arb, ([out, sa, sb, va, vb]) => {
        const prep = c.prepare ?? ((v: number[]) => v);
        const toDtype = (v: number[]) => (c.dtype === 'bool' ? v.map((x) => Number(x > 0)) : v);
        const a = makeTensor(c.dtype, sa, toDtype(prep(va, 0)));
        const b = makeTensor(c.dtype, sb, toDtype(prep(vb, 1)));
        const n = node(c.op, 2, c.attrs);
        const want = directBroadcast([a, b], out, c.out ?? c.dtype, c.fn);
        expectSameValues(run(n, [a, b]), want);
        expect(infer(n, [a, b])[0]).toEqual({ dtype: c.out ?? c.dtype, shape: out });
      }), { numRuns: 60 });
    });
  }
});

describe('Where and variadic kernels', () => {
  it('Where broadcasts three ways', () => {
    const arb = broadcastShapes(3).chain(([out, [c, x, y]]) =>
      fc.tuple(fc.constant(out), fc.constant([c!, x!, y!]), valuesFor(c!, true), valuesFor(x!, false), valuesFor(y!, false)));
    fc.assert(fc.property(arb, ([out, [sc, sx, sy], vc, vx, vy]) => {
      const inputs = [makeTensor('bool', sc!, vc.map((v) => Number(v > 0))), makeTensor('float32', sx!, vx), makeTensor('float32', sy!, vy)];
      const n = node('Where', 3);
      expectSameValues(run(n, inputs), directBroadcast(inputs, out, 'float32', (c, x, y) => (c ? x : y)));
      expect(infer(n, inputs)[0]).toEqual({ dtype: 'float32', shape: out });
    }), { numRuns: 60 });
  });

  const VARIADIC: [string, (...v: number[]) => number][] = [
    ['Sum', (...v) => v.reduce((s, x) => s + x, 0)],
    ['Mean', (...v) => v.reduce((s, x) => s + x, 0) / v.length],
    ['Max', (...v) => Math.max(...v)],
    ['Min', (...v) => Math.min(...v)],
  ];
  for (const [op, fn] of VARIADIC) {
    it(`${op} over one to four inputs broadcasts all of them`, () => {
      const arb = fc.integer({ min: 1, max: 4 }).chain((k) => broadcastShapes(k)).chain(([out, shapes]) =>
        fc.tuple(fc.constant(out), fc.constant(shapes), fc.tuple(...shapes.map((s) => valuesFor(s, false)))));
      fc.assert(fc.property(arb, ([out, shapes, values]) => {
        const inputs = shapes.map((s, i) => makeTensor('float32', s, values[i]!));
        const n = node(op, inputs.length);
        expectSameValues(run(n, inputs), directBroadcast(inputs, out, 'float32', fn));
        expect(infer(n, inputs)[0]).toEqual({ dtype: 'float32', shape: out });
      }), { numRuns: 40 });
    });
  }
});

describe('elementwise shape inference', () => {
  it('keeps symbolic dims through broadcasting', () => {
    const arb = broadcastShapes(2).chain(([out, shapes]) =>
      fc.tuple(fc.constant(out), fc.constant(shapes), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length })));
    fc.assert(fc.property(arb, ([out, shapes, symbolic]) => {
      // Axis i becomes the symbol d<i> in every operand whose size there is the full size.
      const types = shapes.map((s): TensorType => ({
        dtype: 'float32',
        shape: s.map((d, j): Dim => {
          const axis = out.length - s.length + j;
          return symbolic[axis] && d === out[axis] ? sym(`d${axis}`) : d;
        }),
      }));
      const want = out.map((d, axis): Dim => (symbolic[axis] && shapes.some((s) => s[axis - (out.length - s.length)] === d) ? sym(`d${axis}`) : d));
      for (const op of ['Add', 'Equal', 'Max']) {
        const inferred = infer(node(op, 2), types)[0]!;
        expect(inferred.shape?.map((d) => (typeof d === 'number' ? d : d.expr))).toEqual(want.map((d) => (typeof d === 'number' ? d : d.expr)));
      }
    }), { numRuns: 100 });
  });

  it('gives an unknown shape when any input rank is unknown', () => {
    const types: TensorType[] = [{ dtype: 'float32', shape: [2, sym('n')] }, { dtype: 'float32' }];
    expect(infer(node('Add', 2), types)[0]).toEqual({ dtype: 'float32' });
    expect(infer(node('Less', 2), types)[0]).toEqual({ dtype: 'bool' });
    expect(infer(node('Where', 3), [{ dtype: 'bool', shape: [] }, ...types])[0]).toEqual({ dtype: 'float32' });
    expect(infer(node('Relu', 1), [{ dtype: 'float16' }])[0]).toEqual({ dtype: 'float16' });
    expect(infer(node('Cast', 1, { to: intAttr(7) }), [{ dtype: 'float32', shape: [sym('b'), 3] }])[0]).toEqual({ dtype: 'int64', shape: [sym('b'), 3] });
  });
});
