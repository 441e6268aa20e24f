// More mappings with a semantic twist, each run against values worked out by PyTorch's rules.
import { describe, expect, it } from 'vitest';
import type { DType } from '../../dtype.js';
import { makeTensor } from '../../tensor.js';
import { arg, fxNode } from '../../../test/pt2-archive.js';
import { importSpec, maxAbsDiff, runGraph } from '../../../test/pt2-run.js';

/** One node over input x, run on the given values. */
function runOne(target: string, args: Record<string, object>, x: { dtype: DType; shape: number[]; values: number[] }, out: { dtype: DType; shape: number[] }): number[] {
  const g = importSpec({
    inputs: [{ name: 'x', dtype: x.dtype, shape: x.shape }],
    nodes: [fxNode(target, 'y', { self: arg.t('x'), ...args })],
    values: { y: out },
    outputs: ['y'],
  });
  const [y] = runGraph(g, { x: makeTensor(x.dtype, x.shape, x.values) });
  expect(y!.dtype).toBe(out.dtype);
  expect(y!.shape).toEqual(out.shape);
  // int64 values live in a Float64Array, where a truncated -0.5 is -0; as an integer it is 0.
  return Array.from(y!.data, (v) => v + 0);
}

describe('division and remainder', () => {
  it('floor division of integers rounds toward -inf, trunc toward zero', () => {
    const x = { dtype: 'int64' as const, shape: [4], values: [7, -7, 6, -1] };
    const i64 = { dtype: 'int64' as const, shape: [4] };
    expect(runOne('aten.div.Tensor_mode', { other: arg.i(2), rounding_mode: arg.s('floor') }, x, i64)).toEqual([3, -4, 3, -1]);
    expect(runOne('aten.div.Tensor_mode', { other: arg.i(2), rounding_mode: arg.s('trunc') }, x, i64)).toEqual([3, -3, 3, 0]);
    expect(runOne('aten.div.Tensor', { other: arg.i(2) }, x, { dtype: 'float32', shape: [4] })).toEqual([3.5, -3.5, 3, -0.5]);
  });

  it('remainder takes the sign of the divisor, for floats and integers', () => {
    expect(runOne('aten.remainder.Scalar', { other: arg.i(3) }, { dtype: 'float32', shape: [3], values: [5.5, -1, -4] }, { dtype: 'float32', shape: [3] })).toEqual([2.5, 2, 2]);
    expect(runOne('aten.remainder.Scalar', { other: arg.i(-3) }, { dtype: 'int64', shape: [3], values: [5, -1, 4] }, { dtype: 'int64', shape: [3] })).toEqual([-1, -1, -2]);
  });
});

describe('elementwise', () => {
  it('clamp with Python scalars, and masked_fill with a scalar', () => {
    expect(runOne('aten.clamp.default', { min: arg.f(-1), max: arg.i(2) }, { dtype: 'float32', shape: [4], values: [-3, 0.5, 2.5, 1] }, { dtype: 'float32', shape: [4] })).toEqual([-1, 0.5, 2, 1]);
    const g = importSpec({
      inputs: [{ name: 'x', dtype: 'float32', shape: [3] }, { name: 'm', dtype: 'bool', shape: [3] }],
      nodes: [fxNode('aten.masked_fill.Scalar', 'y', { self: arg.t('x'), mask: arg.t('m'), value: arg.f(-9) })],
      values: { y: { dtype: 'float32', shape: [3] } },
      outputs: ['y'],
    });
    const [y] = runGraph(g, { x: makeTensor('float32', [3], [1, 2, 3]), m: makeTensor('bool', [3], [0, 1, 0]) });
    expect(Array.from(y!.data)).toEqual([1, -9, 3]);
  });

  it('gelu tanh, rsqrt and silu', () => {
    const values = [-1.5, 0.25, 2];
    const gelu = values.map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))));
    expect(maxAbsDiff(runOne('aten.gelu.default', { approximate: arg.s('tanh') }, { dtype: 'float32', shape: [3], values }, { dtype: 'float32', shape: [3] }), gelu)).toBeLessThan(1e-6);
    expect(maxAbsDiff(runOne('aten.silu.default', {}, { dtype: 'float32', shape: [3], values }, { dtype: 'float32', shape: [3] }), values.map((v) => v / (1 + Math.exp(-v))))).toBeLessThan(1e-6);
    expect(maxAbsDiff(runOne('aten.rsqrt.default', {}, { dtype: 'int64', shape: [2], values: [4, 16] }, { dtype: 'float32', shape: [2] }), [0.5, 0.25])).toBe(0);
  });

  it('softmax with a dtype argument casts first', () => {
    const y = runOne('aten.softmax.int', { dim: arg.i(-1), dtype: arg.dtype('float32') }, { dtype: 'float16', shape: [2], values: [0, Math.log(3)] }, { dtype: 'float32', shape: [2] });
    expect(maxAbsDiff(y, [0.25, 0.75])).toBeLessThan(1e-3);
  });
});

describe('shapes and reductions', () => {
  it('cumsum of bools counts in int64; triu keeps the upper triangle', () => {
    expect(runOne('aten.cumsum.default', { dim: arg.i(0) }, { dtype: 'bool', shape: [4], values: [1, 0, 1, 1] }, { dtype: 'int64', shape: [4] })).toEqual([1, 1, 2, 3]);
    expect(runOne('aten.triu.default', { diagonal: arg.i(1) }, { dtype: 'float32', shape: [2, 3], values: [1, 2, 3, 4, 5, 6] }, { dtype: 'float32', shape: [2, 3] })).toEqual([0, 2, 3, 0, 0, 6]);
  });

  it('mean over dims without keepdim; sum of ints in int64', () => {
    const x = { dtype: 'float32' as const, shape: [2, 3], values: [1, 2, 3, 4, 5, 6] };
    expect(runOne('aten.mean.dim', { dim: arg.is([-1]) }, x, { dtype: 'float32', shape: [2] })).toEqual([2, 5]);
    expect(runOne('aten.sum.dim_IntList', { dim: arg.is([0]), keepdim: arg.b(true) }, { ...x, dtype: 'int32' }, { dtype: 'int64', shape: [1, 3] })).toEqual([5, 7, 9]);
  });

  it('squeeze leaves a dim that is not 1 alone; expand keeps -1 dims', () => {
    expect(runOne('aten.squeeze.dims', { dim: arg.is([0, 1]) }, { dtype: 'float32', shape: [1, 2], values: [7, 8] }, { dtype: 'float32', shape: [2] })).toEqual([7, 8]);
    expect(runOne('aten.expand.default', { size: arg.is([2, -1, 3]) }, { dtype: 'float32', shape: [2, 1], values: [1, 2] }, { dtype: 'float32', shape: [2, 2, 3] })).toEqual([1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2]);
  });

  it('layer_norm without an affine weight normalises over the trailing dims', () => {
    const g = importSpec({
      inputs: [{ name: 'x', dtype: 'float32', shape: [2, 2] }],
      nodes: [fxNode('aten.layer_norm.default', 'y', { input: arg.t('x'), normalized_shape: arg.is([2]), eps: arg.f(0) })],
      values: { y: { dtype: 'float32', shape: [2, 2] } },
      outputs: ['y'],
    });
    const [y] = runGraph(g, { x: makeTensor('float32', [2, 2], [1, 3, -2, 6]) });
    expect(maxAbsDiff(y!.data, [-1, 1, -1, 1])).toBeLessThan(1e-6);
  });
});
