// Property tests: Reshape, Transpose, Gather, Slice and Concat on random shapes, dtypes and
// values against the float64 references of test/float64-onnx, and shape inference against
// the kernels' actual output shapes (with values known, and with symbolic input dims).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intAttr, intsAttr } from '../../../ir/attrs.js';
import { sym } from '../../../ir/dim.js';
import { DTYPES, type DType } from '../../../ir/dtype.js';
import { type CaseTensor, INT64_MAX, type OpCase, ints } from '../../../ir/ops/conformance/case.js';
import { numel } from '../../../ir/tensor.js';
import { type Nd, concat, gather, nd, onnxSliceIndices, select, transpose } from '../../../test/float64-onnx.js';
import { caseTensor, evalDim, expectConsistentShape, inferCase, runCase } from './case-runner.js';

const RUNS = { numRuns: 150 };
const dtypes = DTYPES.filter((d): d is Exclude<DType, 'string'> => d !== 'string');

const RANGES: Partial<Record<DType, [number, number]>> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535],
  int32: [-(2 ** 31), 2 ** 31 - 1], uint32: [0, 2 ** 32 - 1],
  int64: [-(2 ** 53), 2 ** 53], uint64: [0, 2 ** 53], bool: [0, 1],
};

function element(dtype: DType): fc.Arbitrary<number> {
  const range = RANGES[dtype];
  return range === undefined ? fc.double({ min: -1e4, max: 1e4, noNaN: true }) : fc.integer({ min: range[0], max: range[1] });
}

/** A tensor of the given shape with values the dtype can hold, never all zero. */
function tensorOf(dtype: DType, shape: readonly number[]): fc.Arbitrary<CaseTensor> {
  const n = numel(shape);
  return fc.array(element(dtype), { minLength: n, maxLength: n })
    .filter((v) => n === 0 || v.some((x) => x !== 0))
    // Storage rounding (float16, bfloat16) happens once here, so the references see the stored values.
    .map((v) => { const t = caseTensor({ dtype, shape, values: v }); return { dtype, shape, values: Array.from(t.data) }; });
}

const shapeArb = (minRank: number, maxRank: number, maxDim = 4, minDim = 0) =>
  fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: minRank, maxLength: maxRank });

function withData(shape: fc.Arbitrary<number[]>): fc.Arbitrary<CaseTensor> {
  return fc.tuple(fc.constantFrom(...dtypes), shape).chain(([dtype, s]) => tensorOf(dtype, s));
}

const ndOf = (t: CaseTensor): Nd => nd(t.shape, t.values);

/** Runs the case and checks the single output against a float64 reference. */
function expectOutput(c: OpCase, want: Nd): void {
  const [out] = runCase(c);
  expect(out!.dtype).toBe(c.inputs[0]!.dtype);
  expect(out!.shape).toEqual(want.shape);
  expect(Array.from(out!.data)).toEqual(Array.from(want.data));
  expectInferenceAgrees(c, out!.shape);
}

/**
 * Inference agrees with the kernel: exactly, when values are known; with the data input's
 * dims made symbolic, every dim it can express evaluates to the actual one (a dim it cannot
 * express is a fresh symbol); with no values known, the rank and known dims hold.
 */
function expectInferenceAgrees(c: OpCase, actual: readonly number[]): void {
  expect(inferCase(c, true)[0]?.shape).toEqual(actual);
  const data = c.inputs[0]!;
  const bindings = new Map(data.shape.map((d, i) => [`s${i}`, d]));
  const symbolic = c.inputs.map((t, i) => (t === null ? undefined : { dtype: t.dtype, shape: i === 0 || c.op === 'Concat' ? t.shape.map((_, j) => (i === 0 ? sym(`s${j}`) : t.shape[j]!)) : t.shape }));
  const inferred = inferCase(c, true, symbolic)[0]?.shape;
  expect(inferred?.length).toBe(actual.length);
  inferred?.forEach((d, i) => {
    const v = evalDim(d, bindings);
    // Slice's symbolic forms (d - start, d + end) assume the dim covers the offset; below it the slice is empty.
    if (v !== undefined) expect(c.op === 'Slice' ? Math.max(0, v) : v, `dim ${i} = ${JSON.stringify(d)}`).toBe(actual[i]);
  });
  expectConsistentShape(inferCase(c, false)[0]?.shape, actual, 'type-only shape');
}

describe('Reshape property', () => {
  /** A target shape for n elements: n's prime factors dealt into random dims, with 1s mixed in. */
  const factorsOf = (n: number): number[] => {
    const out: number[] = [];
    for (let p = 2; n > 1; p++) while (n % p === 0) { out.push(p); n /= p; }
    return out;
  };
  const caseArb = withData(shapeArb(0, 4, 4, 1)).chain((x) => {
    const n = numel(x.shape);
    const factors = factorsOf(n);
    return fc.tuple(
      fc.integer({ min: Math.min(factors.length, 1), max: 4 }),
      fc.array(fc.nat(), { minLength: factors.length, maxLength: factors.length }),
      fc.option(fc.nat(), { nil: undefined }),
      fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    ).map(([rank, slots, inferAt, copy]) => {
      const target = new Array<number>(rank).fill(1);
      factors.forEach((f, i) => {
        const slot = slots[i]! % rank;
        target[slot] = target[slot]! * f;
      });
      const written = target.map((d, i) => (copy[i] && x.shape[i] === d ? 0 : d));
      if (inferAt !== undefined && rank > 0) written[inferAt % rank] = -1;
      return { x, target, written };
    });
  });

  it('reads the elements in row-major order into the new shape', () => {
    fc.assert(fc.property(caseArb, ({ x, target, written }) => {
      const c: OpCase = { name: 'reshape', op: 'Reshape', inputs: [x, ints(written)], expect: [] };
      expectOutput(c, nd(target, x.values));
    }), RUNS);
  });
});

describe('Transpose property', () => {
  const caseArb = withData(shapeArb(0, 4)).chain((x) => fc.tuple(
    fc.constant(x),
    fc.option(fc.shuffledSubarray([...x.shape.keys()], { minLength: x.shape.length, maxLength: x.shape.length }), { nil: undefined }),
  ));
  it('moves element [i0, i1, ...] to the permuted position', () => {
    fc.assert(fc.property(caseArb, ([x, perm]) => {
      const c: OpCase = { name: 'transpose', op: 'Transpose', attrs: perm === undefined ? {} : { perm: intsAttr(perm) }, inputs: [x], expect: [] };
      expectOutput(c, transpose(ndOf(x), perm ?? [...x.shape.keys()].reverse()));
    }), RUNS);
  });
});

describe('Gather property', () => {
  const caseArb = withData(shapeArb(1, 3, 4, 1)).chain((x) => fc.integer({ min: -x.shape.length, max: x.shape.length - 1 }).chain((axis) => {
    const size = x.shape[axis < 0 ? axis + x.shape.length : axis]!;
    return fc.tuple(fc.constant(x), fc.constant(axis), shapeArb(0, 2, 3), fc.constantFrom<DType>('int64', 'int32')).chain(([x, axis, ishape, idtype]) =>
      fc.array(fc.integer({ min: -size, max: size - 1 }), { minLength: numel(ishape), maxLength: numel(ishape) })
        .map((values) => ({ x, axis, indices: { dtype: idtype, shape: ishape, values } })));
  }));
  it('takes slices at possibly negative indices', () => {
    fc.assert(fc.property(caseArb, ({ x, axis, indices }) => {
      const c: OpCase = { name: 'gather', op: 'Gather', attrs: { axis: intAttr(axis) }, inputs: [x, indices], expect: [] };
      expectOutput(c, gather(ndOf(x), ndOf(indices), axis < 0 ? axis + x.shape.length : axis));
    }), RUNS);
  });
});

describe('Slice property', () => {
  const bound = (d: number) => fc.oneof(fc.integer({ min: -d - 2, max: d + 2 }), fc.constantFrom(INT64_MAX, -INT64_MAX));
  const caseArb = withData(shapeArb(1, 3, 5)).chain((x) => {
    const rank = x.shape.length;
    return fc.shuffledSubarray([...x.shape.keys()], { minLength: 1 }).chain((axes) => fc.tuple(
      fc.constant(x),
      fc.constant(axes),
      fc.tuple(...axes.map((a) => fc.tuple(bound(x.shape[a]!), bound(x.shape[a]!), fc.constantFrom(-3, -2, -1, 1, 2, 3)))),
      fc.array(fc.boolean(), { minLength: axes.length, maxLength: axes.length }),
      fc.boolean(),
    ).map(([x, axes, bounds, negate, omitSteps]) => ({ x, rank, axes, bounds, negate, omitSteps })));
  });
  it('walks each sliced axis with ONNX clamping of huge and negative bounds', () => {
    fc.assert(fc.property(caseArb, ({ x, rank, axes, bounds, negate, omitSteps }) => {
      const steps = omitSteps ? bounds.map(() => 1) : bounds.map((b) => b[2]);
      const written = axes.map((a, i) => (negate[i] ? a - rank : a));
      const inputs = [x, ints(bounds.map((b) => b[0])), ints(bounds.map((b) => b[1])), ints(written), omitSteps ? null : ints(steps)];
      const c: OpCase = { name: 'slice', op: 'Slice', inputs, expect: [] };
      const keep = x.shape.map((d, axis) => {
        const i = axes.indexOf(axis);
        return i < 0 ? [...Array(d).keys()] : onnxSliceIndices(d, bounds[i]![0], bounds[i]![1], steps[i]!);
      });
      expectOutput(c, select(ndOf(x), keep));
    }), RUNS);
  });
});

describe('Concat property', () => {
  const caseArb = fc.tuple(fc.constantFrom(...dtypes), shapeArb(1, 4, 3, 1)).chain(([dtype, shape]) =>
    fc.integer({ min: 0, max: shape.length - 1 }).chain((axis) =>
      // Some part is non-empty, so (each non-empty part being non-zero) the output is never all zero.
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }).filter((sizes) => sizes.some((s) => s > 0)).chain((sizes) =>
        fc.tuple(...sizes.map((s) => tensorOf(dtype, shape.map((d, i) => (i === axis ? s : d)))))
          .chain((parts) => fc.boolean().map((negative) => ({ parts, axis, negative }))))));
  it('joins the parts along the axis', () => {
    fc.assert(fc.property(caseArb, ({ parts, axis, negative }) => {
      const rank = parts[0]!.shape.length;
      const c: OpCase = { name: 'concat', op: 'Concat', attrs: { axis: intAttr(negative ? axis - rank : axis) }, inputs: parts, expect: [] };
      expectOutput(c, concat(parts.map(ndOf), axis));
    }), RUNS);
  });
});
