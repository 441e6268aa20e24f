// Reference kernels: reductions (ReduceSum .. ReduceSumSquare) and ArgMax/ArgMin.
// Accumulation runs in float64; each input element adds into the output element its
// kept coordinates name, found by broadcasting the keepdims output shape to the input.
import type { AttrValues } from '../../../ir/attrs.js';
import { type DType, isInteger } from '../../../ir/dtype.js';
import type { Node } from '../../../ir/graph.js';
import * as ops from '../../../ir/ops/reduce.js';
import { reducedDims, reductionAxes } from '../../../ir/ops/reduce.js';
import type { OpSpec } from '../../../ir/ops/spec.js';
import { type Tensor, allocData, numel } from '../../../ir/tensor.js';
import { broadcastOffsets } from '../broadcast.js';
import type { Inputs } from '../kernel.js';
import { defineCheckedKernel } from './checked-kernel.js';
import { required } from './args.js';
import './arg-reduce.js';

/** A reduction over axes of x: one float64 value per output element, in row-major order. */
type Reduction = (x: Tensor, axes: readonly number[]) => Float64Array;

type ReduceAttrs = AttrValues<typeof ops.ReduceSum.attrs>;

/** Where a reduction of input x goes: its axes, or 'noop' to return x unchanged. */
function axesOf(inputs: Inputs, x: Tensor, attrs: ReduceAttrs, node: Node): number[] | 'noop' {
  const given = inputs[1] === undefined ? undefined : Array.from(inputs[1].data);
  return reductionAxes(node, x.shape.length, attrs.axes, given, attrs.noop_with_empty_axes);
}

/** Folds x over axes in float64: one accumulator per output element, where each input element goes, and the count each saw. */
function accumulate(x: Tensor, axes: readonly number[], init: number, step: (acc: number, v: number) => number) {
  const kept = reducedDims(x.shape, axes, true);
  const acc = new Float64Array(numel(kept)).fill(init);
  const into = broadcastOffsets(kept, x.shape);
  const xd = x.data;
  for (let i = 0; i < xd.length; i++) acc[into[i]!] = step(acc[into[i]!]!, xd[i]!);
  const count = axes.reduce((n, a) => n * x.shape[a]!, 1);
  return { acc, into, count };
}

/** A reduction that folds with step from init (the value of an empty reduction), then applies finish. */
function fold(
  init: (dtype: DType) => number,
  step: (acc: number, v: number) => number,
  finish?: (acc: number, count: number) => number,
): Reduction {
  return (x, axes) => {
    const { acc, count } = accumulate(x, axes, init(x.dtype), step);
    if (finish !== undefined) for (let i = 0; i < acc.length; i++) acc[i] = finish(acc[i]!, count);
    return acc;
  };
}

// log(sum(exp(x))) = m + log(sum(exp(x - m))) with m the maximum, so nothing overflows;
// where m is infinite or NaN the answer is m itself.
const logSumExp: Reduction = (x, axes) => {
  const { acc: max, into } = accumulate(x, axes, -Infinity, Math.max);
  const sums = new Float64Array(max.length);
  const xd = x.data;
  for (let i = 0; i < xd.length; i++) {
    const o = into[i]!;
    sums[o] = sums[o]! + Math.exp(xd[i]! - max[o]!);
  }
  return max.map((m, o) => (Number.isFinite(m) ? m + Math.log(sums[o]!) : m));
};

function reduceKernel(spec: OpSpec<typeof ops.ReduceSum.attrs>, reduce: Reduction): void {
  defineCheckedKernel(spec, (inputs, attrs, node) => {
    const x = required(inputs, 0, node);
    const axes = axesOf(inputs, x, attrs, node);
    if (axes === 'noop') return [{ dtype: x.dtype, shape: [...x.shape], data: x.data.slice() }];
    const values = reduce(x, axes);
    const data = allocData(x.dtype, values.length);
    // Integer outputs of non-integer results (mean, norms, logs) truncate, like a C cast.
    const store = isInteger(x.dtype) ? Math.trunc : (v: number) => v;
    for (let i = 0; i < values.length; i++) data[i] = store(values[i]!);
    return [{ dtype: x.dtype, shape: reducedDims(x.shape, axes, attrs.keepdims !== 0), data }];
  });
}
/** The smallest and largest values of a dtype: ONNX's results for empty ReduceMax and ReduceMin. */
function range(dtype: DType): [number, number] {
  switch (dtype) {
    case 'bool': return [0, 1];
    case 'int8': return [-128, 127];
    case 'uint8': return [0, 255];
    case 'int16': return [-32768, 32767];
    case 'uint16': return [0, 65535];
    case 'int32': return [-(2 ** 31), 2 ** 31 - 1];
    case 'uint32': return [0, 2 ** 32 - 1];
    case 'int64': return [-(2 ** 63), 2 ** 63];
    case 'uint64': return [0, 2 ** 64];
    default: return [-Infinity, Infinity];
  }
}

const zero = () => 0;
const add = (acc: number, x: number) => acc + x;
const addSquare = (acc: number, x: number) => acc + x * x;

reduceKernel(ops.ReduceSum, fold(zero, add));
reduceKernel(ops.ReduceMean, fold(zero, add, (acc, count) => acc / count));
// Math.max and Math.min let NaN win, like numpy's maximum.reduce.
reduceKernel(ops.ReduceMax, fold((d) => range(d)[0], Math.max));
reduceKernel(ops.ReduceMin, fold((d) => range(d)[1], Math.min));
reduceKernel(ops.ReduceProd, fold(() => 1, (acc, x) => acc * x));
reduceKernel(ops.ReduceL1, fold(zero, (acc, x) => acc + Math.abs(x)));
reduceKernel(ops.ReduceL2, fold(zero, addSquare, Math.sqrt));
reduceKernel(ops.ReduceLogSum, fold(zero, add, Math.log));
reduceKernel(ops.ReduceLogSumExp, logSumExp);
reduceKernel(ops.ReduceSumSquare, fold(zero, addSquare));
