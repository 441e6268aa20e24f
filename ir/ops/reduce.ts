// Op specs: reductions (ReduceSum .. ReduceSumSquare) and ArgMax/ArgMin.
// The axes of a reduction come from the `axes` attribute (opsets 13..17) or the `axes`
// input (ReduceSum from 13, the others from 18); solder accepts either form on every one.
import { attr } from '../attrs.js';
import { type Dim } from '../dim.js';
import type { DType } from '../dtype.js';
import { ONNX_DOMAIN, type Node } from '../graph.js';
import { tensorType } from '../types.js';
import { FLOATS, checkedDType } from './elementwise-types.js';
import { constantValues, freshDims, normalizeAxes, vectorLength } from './shape-inputs.js';
import { inputType, normalizeAxis, opError } from './shape-util.js';
import { type InferContext, defineOp } from './spec.js';

const REDUCE_TYPES: readonly DType[] = [...FLOATS, 'int32', 'int64', 'uint32', 'uint64'];
const REDUCE_MINMAX_TYPES: readonly DType[] = [...REDUCE_TYPES, 'int8', 'uint8', 'bool'];
const ARG_TYPES: readonly DType[] = [...FLOATS, 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64'];

const reduceAttrs = {
  axes: attr.ints.optional(),
  keepdims: attr.int.default(1),
  noop_with_empty_axes: attr.int.default(0),
};

/**
 * The axes a reduction reduces, sorted and non-negative, or 'noop' when the node returns its
 * input unchanged (no axes and noop_with_empty_axes=1). No axes otherwise means all axes.
 */
export function reductionAxes(
  node: Node,
  rank: number,
  attrAxes: readonly number[] | undefined,
  inputAxes: readonly number[] | undefined,
  noopWithEmptyAxes: number,
): number[] | 'noop' {
  if (attrAxes !== undefined && inputAxes !== undefined) {
    throw opError(node, 'axes is given both as an attribute and as an input; give one');
  }
  const axes = attrAxes ?? inputAxes ?? [];
  if (axes.length === 0) return noopWithEmptyAxes !== 0 ? 'noop' : Array.from({ length: rank }, (_, i) => i);
  return normalizeAxes(node, axes, rank).sort((a, b) => a - b);
}

/** A reduction's output dims: reduced axes become 1 (keepdims) or go away. */
export function reducedDims<D extends Dim>(shape: readonly D[], axes: readonly number[], keepdims: boolean): (D | 1)[] {
  const out: (D | 1)[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

function defineReduce(name: string, allowed: readonly DType[], doc: string) {
  return defineOp({
    domain: ONNX_DOMAIN,
    name,
    inputs: [{ name: 'data' }, { name: 'axes', optional: true }],
    outputs: [{ name: 'reduced' }],
    attrs: reduceAttrs,
    doc,
    infer: (ctx) => {
      const dtype = checkedDType(ctx, 0, allowed, 'data');
      checkedAxesInput(ctx);
      return [tensorType(dtype, reducedShape(ctx))];
    },
  });
}

function checkedAxesInput(ctx: InferContext): void {
  const t = ctx.inputs[1];
  if (t !== undefined && t.dtype !== 'int64') throw opError(ctx.node, `axes must be int64, found ${t.dtype}`);
}

function reducedShape(ctx: InferContext<typeof reduceAttrs>): Dim[] | undefined {
  const shape = inputType(ctx, 0).shape;
  if (shape === undefined) return undefined;
  const { node, attrs } = ctx;
  const keepdims = attrs.keepdims !== 0;
  const given = ctx.inputs[1] === undefined ? undefined : constantValues(ctx, 1);
  if (ctx.inputs[1] !== undefined && given === undefined) {
    // Axes computed at run time: only the rank may be known.
    const count = vectorLength(ctx, 1);
    if (count === 0) return attrs.noop_with_empty_axes !== 0 ? [...shape] : keepdims ? shape.map(() => 1) : [];
    if (keepdims) return freshDims(node, shape.length);
    return count === undefined ? undefined : freshDims(node, shape.length - count);
  }
  const axes = reductionAxes(node, shape.length, attrs.axes, given, attrs.noop_with_empty_axes);
  return axes === 'noop' ? [...shape] : reducedDims(shape, axes, keepdims);
}

export const ReduceSum = defineReduce('ReduceSum', REDUCE_TYPES, 'Sum over axes.');
export const ReduceMean = defineReduce('ReduceMean', REDUCE_TYPES, 'Mean over axes.');
export const ReduceMax = defineReduce('ReduceMax', REDUCE_MINMAX_TYPES, 'Maximum over axes; NaN wins.');
export const ReduceMin = defineReduce('ReduceMin', REDUCE_MINMAX_TYPES, 'Minimum over axes; NaN wins.');
export const ReduceProd = defineReduce('ReduceProd', REDUCE_TYPES, 'Product over axes.');
export const ReduceL1 = defineReduce('ReduceL1', REDUCE_TYPES, 'Sum of absolute values over axes.');
export const ReduceL2 = defineReduce('ReduceL2', REDUCE_TYPES, 'Euclidean norm over axes.');
export const ReduceLogSum = defineReduce('ReduceLogSum', REDUCE_TYPES, 'log(sum(x)) over axes.');
export const ReduceLogSumExp = defineReduce('ReduceLogSumExp', REDUCE_TYPES, 'log(sum(exp(x))) over axes, computed stably.');
export const ReduceSumSquare = defineReduce('ReduceSumSquare', REDUCE_TYPES, 'Sum of squares over axes.');

function defineArgReduce(name: string, doc: string) {
  return defineOp({
    domain: ONNX_DOMAIN,
    name,
    inputs: [{ name: 'data' }],
    outputs: [{ name: 'reduced' }],
    attrs: { axis: attr.int.default(0), keepdims: attr.int.default(1), select_last_index: attr.int.default(0) },
    doc,
    infer: (ctx) => {
      checkedDType(ctx, 0, ARG_TYPES, 'data');
      const shape = inputType(ctx, 0).shape;
      if (shape === undefined) return [tensorType('int64')];
      const axis = normalizeAxis(ctx.node, ctx.attrs.axis, shape.length);
      return [tensorType('int64', reducedDims(shape, [axis], ctx.attrs.keepdims !== 0))];
    },
  });
}

export const ArgMax = defineArgReduce('ArgMax', 'Index of the maximum along axis (first, or last with select_last_index); NaN wins.');
export const ArgMin = defineArgReduce('ArgMin', 'Index of the minimum along axis (first, or last with select_last_index); NaN wins.');
