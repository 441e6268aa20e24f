// Op specs: ops that order, count or mask along axes (TopK, Unique, NonZero,
// CumSum, Trilu, ReverseSequence).
import { attr } from '../attrs.js';
import { type Dim, dimProduct, isKnown } from '../dim.js';
import { ONNX_DOMAIN, type Node } from '../graph.js';
import { type TensorType, tensorType } from '../types.js';
import { constantValues, freshDim, requireIntegerInput } from './shape-inputs.js';
import { inputType, normalizeAxis, opError, shapeString } from './shape-util.js';
import { defineOp } from './spec.js';

/** TopK's k, checked against the axis when its size is known. */
export function topKCount(node: Node, k: number, dim: Dim | undefined): number {
  if (!Number.isInteger(k) || k < 0) throw opError(node, `k must be a non-negative integer, found ${k}`);
  if (dim !== undefined && isKnown(dim) && k > dim) throw opError(node, `k = ${k} is larger than the axis (${dim})`);
  return k;
}

export const TopK = defineOp({
  domain: ONNX_DOMAIN,
  name: 'TopK',
  inputs: [{ name: 'X' }, { name: 'K' }],
  outputs: [{ name: 'Values' }, { name: 'Indices' }],
  attrs: { axis: attr.int.default(-1), largest: attr.int.default(1), sorted: attr.int.default(1) },
  doc: 'The k largest (or smallest) elements along an axis and their indices; ties go to the lower index.',
  infer: (ctx) => {
    const x = inputType(ctx, 0);
    requireIntegerInput(ctx, 1, 'K');
    const k = constantValues(ctx, 1);
    if (k !== undefined && k.length !== 1) throw opError(ctx.node, 'K must hold one value');
    if (x.shape === undefined) return [tensorType(x.dtype), tensorType('int64')];
    const a = normalizeAxis(ctx.node, ctx.attrs.axis, x.shape.length);
    const count = k === undefined ? freshDim(ctx.node, 'k') : topKCount(ctx.node, k[0]!, x.shape[a]);
    const shape = x.shape.map((d, i) => (i === a ? count : d));
    return [tensorType(x.dtype, shape), tensorType('int64', shape)];
  },
});

export const Unique = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Unique',
  inputs: [{ name: 'X' }],
  outputs: [{ name: 'Y' }, { name: 'indices', optional: true }, { name: 'inverse_indices', optional: true }, { name: 'counts', optional: true }],
  attrs: { axis: attr.int.optional(), sorted: attr.int.default(1) },
  doc: 'The distinct elements (or slices along axis), first-occurrence indices, inverse indices and counts.',
  infer: (ctx) => {
    const x = inputType(ctx, 0);
    const count = freshDim(ctx.node, 'unique');
    const axis = ctx.attrs.axis;
    let y: TensorType;
    let inverse: Dim | undefined;
    if (axis === undefined) {
      y = tensorType(x.dtype, [count]);
      inverse = x.shape === undefined ? undefined : dimProduct(x.shape);
    } else if (x.shape === undefined) {
      y = tensorType(x.dtype);
    } else {
      const a = normalizeAxis(ctx.node, axis, x.shape.length);
      y = tensorType(x.dtype, x.shape.map((d, i) => (i === a ? count : d)));
      inverse = x.shape[a];
    }
    const all = [y, tensorType('int64', [count]), tensorType('int64', [inverse ?? freshDim(ctx.node, 'inverse')]), tensorType('int64', [count])];
    return all.slice(0, Math.max(1, ctx.node.outputs.length));
  },
});

export const NonZero = defineOp({
  domain: ONNX_DOMAIN,
  name: 'NonZero',
  inputs: [{ name: 'X' }],
  outputs: [{ name: 'Y' }],
  attrs: {},
  doc: 'The coordinates of the non-zero elements, as int64 [rank, count] in row-major order.',
  infer: (ctx) => {
    const x = inputType(ctx, 0);
    // A scalar counts as a 1-element vector, as numpy's nonzero does.
    const rank = x.shape === undefined ? freshDim(ctx.node, 'rank') : Math.max(1, x.shape.length);
    return [tensorType('int64', [rank, freshDim(ctx.node, 'nonzero')])];
  },
});

export const CumSum = defineOp({
  domain: ONNX_DOMAIN,
  name: 'CumSum',
  inputs: [{ name: 'x' }, { name: 'axis' }],
  outputs: [{ name: 'y' }],
  attrs: { exclusive: attr.int.default(0), reverse: attr.int.default(0) },
  doc: 'Running sums along an axis (exclusive leaves out the element itself; reverse runs from the end).',
  infer: (ctx) => {
    const x = inputType(ctx, 0);
    requireIntegerInput(ctx, 1, 'axis');
    const axis = constantValues(ctx, 1);
    if (axis !== undefined && axis.length !== 1) throw opError(ctx.node, 'axis must hold one value');
    if (axis !== undefined && x.shape !== undefined) normalizeAxis(ctx.node, axis[0]!, x.shape.length);
    return [tensorType(x.dtype, x.shape)];
  },
});

export const Trilu = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Trilu',
  inputs: [{ name: 'input' }, { name: 'k', optional: true }],
  outputs: [{ name: 'output' }],
  attrs: { upper: attr.int.default(1) },
  doc: 'Keeps the upper (or lower) triangle of the last two dims from diagonal k on; zeroes the rest.',
  infer: (ctx) => {
    const x = inputType(ctx, 0);
    requireIntegerInput(ctx, 1, 'k');
    if (x.shape !== undefined && x.shape.length < 2) throw opError(ctx.node, `input must have rank 2 or more, found ${shapeString(x.shape)}`);
    return [tensorType(x.dtype, x.shape)];
  },
});

/** ReverseSequence's batch and time axes: 0 and 1, one each. */
export function sequenceAxes(node: Node, batchAxis: number, timeAxis: number): void {
  const ok = (a: number) => a === 0 || a === 1;
  if (!ok(batchAxis) || !ok(timeAxis) || batchAxis === timeAxis) {
    throw opError(node, `batch_axis (${batchAxis}) and time_axis (${timeAxis}) must be 0 and 1 in some order`);
  }
}

export const ReverseSequence = defineOp({
  domain: ONNX_DOMAIN,
  name: 'ReverseSequence',
  inputs: [{ name: 'input' }, { name: 'sequence_lens' }],
  outputs: [{ name: 'Y' }],
  attrs: { batch_axis: attr.int.default(1), time_axis: attr.int.default(0) },
  doc: 'Reverses the first sequence_lens[b] steps along the time axis of each batch entry b.',
  infer: (ctx) => {
    const x = inputType(ctx, 0);
    requireIntegerInput(ctx, 1, 'sequence_lens');
    sequenceAxes(ctx.node, ctx.attrs.batch_axis, ctx.attrs.time_axis);
    if (x.shape !== undefined && x.shape.length < 2) throw opError(ctx.node, `input must have rank 2 or more, found ${shapeString(x.shape)}`);
    return [tensorType(x.dtype, x.shape)];
  },
});
