// Op specs: reading by index (Gather, GatherElements, GatherND, Compress, OneHot).
// The dim helpers are shared with the reference kernels.
import { attr } from '../attrs.js';
import { type Dim, isKnown } from '../dim.js';
import { ONNX_DOMAIN, type Node } from '../graph.js';
import { tensorType } from '../types.js';
import { constantValues, freshDim, requireIntegerInput } from './shape-inputs.js';
import { inputType, normalizeAxis, opError, shapeString } from './shape-util.js';
import { defineOp } from './spec.js';

/** Gather's output dims: the data dims with the axis replaced by the indices' dims. */
export function gatherDims(node: Node, data: readonly Dim[], indices: readonly Dim[], axis: number): Dim[] {
  const a = normalizeAxis(node, axis, data.length);
  return [...data.slice(0, a), ...indices, ...data.slice(a + 1)];
}

export const Gather = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Gather',
  inputs: [{ name: 'data' }, { name: 'indices' }],
  outputs: [{ name: 'output' }],
  attrs: { axis: attr.int.default(0) },
  doc: 'Picks slices of data along an axis at the given (possibly negative) indices.',
  infer: (ctx) => {
    const data = inputType(ctx, 0);
    const indices = inputType(ctx, 1);
    requireIntegerInput(ctx, 1, 'indices');
    if (data.shape === undefined || indices.shape === undefined) return [tensorType(data.dtype)];
    return [tensorType(data.dtype, gatherDims(ctx.node, data.shape, indices.shape, ctx.attrs.axis))];
  },
});

export const GatherElements = defineOp({
  domain: ONNX_DOMAIN,
  name: 'GatherElements',
  inputs: [{ name: 'data' }, { name: 'indices' }],
  outputs: [{ name: 'output' }],
  attrs: { axis: attr.int.default(0) },
  doc: 'out[i][j] = data[indices[i][j]][j] (for axis 0): reads one element per index.',
  infer: (ctx) => {
    const data = inputType(ctx, 0);
    const indices = inputType(ctx, 1);
    requireIntegerInput(ctx, 1, 'indices');
    if (data.shape !== undefined && indices.shape !== undefined && data.shape.length !== indices.shape.length) {
      throw opError(ctx.node, `indices ${shapeString(indices.shape)} must have the rank of data ${shapeString(data.shape)}`);
    }
    const rank = data.shape?.length ?? indices.shape?.length;
    if (rank !== undefined) normalizeAxis(ctx.node, ctx.attrs.axis, rank);
    return [tensorType(data.dtype, indices.shape)];
  },
});

/** GatherND's output dims: the index tuples' batch dims, then the data dims each tuple leaves. */
export function gatherNDDims(node: Node, data: readonly Dim[], indices: readonly Dim[], batchDims: number): Dim[] | undefined {
  const [r, q, b] = [data.length, indices.length, batchDims];
  if (r < 1 || q < 1) throw opError(node, 'data and indices must have rank at least 1');
  if (b < 0 || b >= Math.min(r, q)) throw opError(node, `batch_dims ${b} must be below the ranks of data (${r}) and indices (${q})`);
  const k = indices[q - 1]!;
  if (!isKnown(k)) return undefined;
  if (k < 1 || k > r - b) throw opError(node, `index tuples of length ${k} do not fit data of rank ${r} with batch_dims ${b}`);
  return [...indices.slice(0, q - 1), ...data.slice(b + k)];
}

export const GatherND = defineOp({
  domain: ONNX_DOMAIN,
  name: 'GatherND',
  inputs: [{ name: 'data' }, { name: 'indices' }],
  outputs: [{ name: 'output' }],
  attrs: { batch_dims: attr.int.default(0) },
  doc: 'Reads the slices of data addressed by the index tuples in the last dim of indices.',
  infer: (ctx) => {
    const data = inputType(ctx, 0);
    const indices = inputType(ctx, 1);
    if (indices.dtype !== 'int64') throw opError(ctx.node, `indices must be int64, found ${indices.dtype}`);
    if (data.shape === undefined || indices.shape === undefined) return [tensorType(data.dtype)];
    return [tensorType(data.dtype, gatherNDDims(ctx.node, data.shape, indices.shape, ctx.attrs.batch_dims))];
  },
});

/** The number of kept slices: the true entries of a condition no longer than the axis. */
export function compressCount(node: Node, condition: readonly number[], length: number | undefined): number {
  if (length !== undefined && condition.length > length) {
    throw opError(node, `condition has ${condition.length} entries, more than the ${length} it selects from`);
  }
  return condition.filter((c) => c !== 0).length;
}

export const Compress = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Compress',
  inputs: [{ name: 'input' }, { name: 'condition' }],
  outputs: [{ name: 'output' }],
  attrs: { axis: attr.int.optional() },
  doc: 'Keeps the slices along axis (or the flattened elements) where condition is true.',
  infer: (ctx) => {
    const t = inputType(ctx, 0);
    const cond = inputType(ctx, 1);
    if (cond.dtype !== 'bool') throw opError(ctx.node, `condition must be bool, found ${cond.dtype}`);
    if (cond.shape !== undefined && cond.shape.length !== 1) throw opError(ctx.node, 'condition must be 1-D');
    const values = constantValues(ctx, 1);
    const axis = ctx.attrs.axis;
    if (axis === undefined) {
      const count = values === undefined ? freshDim(ctx.node, 0) : compressCount(ctx.node, values, undefined);
      return [tensorType(t.dtype, [count])];
    }
    if (t.shape === undefined) return [tensorType(t.dtype)];
    const a = normalizeAxis(ctx.node, axis, t.shape.length);
    const d = t.shape[a]!;
    const count = values === undefined ? freshDim(ctx.node, a) : compressCount(ctx.node, values, isKnown(d) ? d : undefined);
    return [tensorType(t.dtype, t.shape.map((x, i) => (i === a ? count : x)))];
  },
});

/** OneHot's output dims: the indices' dims with depth inserted at axis (in [-r-1, r]). */
export function oneHotDims(node: Node, indices: readonly Dim[], depth: Dim, axis: number): Dim[] {
  const a = normalizeAxis(node, axis, indices.length + 1);
  return [...indices.slice(0, a), depth, ...indices.slice(a)];
}

/** The depth input's value as a positive integer count. */
export function oneHotDepth(node: Node, depth: number): number {
  const d = Math.trunc(depth);
  if (!(d >= 1)) throw opError(node, `depth must be at least 1, found ${depth}`);
  return d;
}

export const OneHot = defineOp({
  domain: ONNX_DOMAIN,
  name: 'OneHot',
  inputs: [{ name: 'indices' }, { name: 'depth' }, { name: 'values' }],
  outputs: [{ name: 'output' }],
  attrs: { axis: attr.int.default(-1) },
  doc: 'values[1] where the new depth axis equals the index (negative indices count from depth), values[0] elsewhere.',
  infer: (ctx) => {
    const indices = inputType(ctx, 0);
    const values = inputType(ctx, 2);
    const depthValues = constantValues(ctx, 1);
    if (depthValues !== undefined && depthValues.length !== 1) throw opError(ctx.node, 'depth must hold one value');
    if (indices.shape === undefined) return [tensorType(values.dtype)];
    const depth = depthValues === undefined ? freshDim(ctx.node, 'depth') : oneHotDepth(ctx.node, depthValues[0]!);
    return [tensorType(values.dtype, oneHotDims(ctx.node, indices.shape, depth, ctx.attrs.axis))];
  },
});
