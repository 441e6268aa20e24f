// Op specs: ops that only move elements (Reshape, Flatten, Transpose, Squeeze,
// Unsqueeze, Expand). The dim helpers are shared with the reference kernels.
import { attr } from '../attrs.js';
import { type Dim, dimDiv, dimProduct, isKnown } from '../dim.js';
import { ONNX_DOMAIN, type Node } from '../graph.js';
import { tensorType } from '../types.js';
import { constantValues, freshDim, freshDims, normalizeAxes, requireIntegerInput, vectorLength } from './shape-inputs.js';
import { broadcastShapes, inputType, opError, shapeString } from './shape-util.js';
import { defineOp } from './spec.js';

/** Reshape's output dims: 0 copies the input dim (unless allowZero), one -1 takes what is left. */
export function reshapeDims(node: Node, input: readonly Dim[] | undefined, target: readonly number[], allowZero: boolean): Dim[] {
  // Only error messages show the target: every Reshape with a constant target comes through here.
  const wanted = () => `[${target.join(', ')}]`;
  if (target.filter((v) => v === -1).length > 1) throw opError(node, `shape ${wanted()} has more than one -1`);
  if (allowZero && target.includes(-1) && target.includes(0)) {
    throw opError(node, `shape ${wanted()} holds both 0 and -1, which allowzero=1 forbids`);
  }
  const dims: Dim[] = target.map((v, i) => {
    if (!Number.isInteger(v) || v < -1) throw opError(node, `invalid dim ${v} in shape ${wanted()}`);
    if (v !== 0 || allowZero) return v;
    if (input === undefined) return freshDim(node, i);
    const d = input[i];
    if (d === undefined) throw opError(node, `shape ${wanted()} copies dim ${i} but the input has rank ${input.length}`);
    return d;
  });
  const total = input === undefined ? undefined : dimProduct(input);
  const cannot = () => opError(node, `cannot reshape ${shapeString(input)} to ${wanted()}: element counts differ`);
  const at = target.indexOf(-1);
  if (at >= 0) {
    const rest = dimProduct(dims.filter((_, i) => i !== at));
    const quotient = total === undefined ? undefined : dimDiv(total, rest);
    if (quotient === undefined && total !== undefined && isKnown(total) && isKnown(rest)) throw cannot();
    dims[at] = quotient ?? freshDim(node, at);
  } else if (total !== undefined) {
    const count = dimProduct(dims);
    if (isKnown(total) && isKnown(count) && total !== count) throw cannot();
  }
  return dims;
}

export const Reshape = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Reshape',
  inputs: [{ name: 'data' }, { name: 'shape' }],
  outputs: [{ name: 'reshaped' }],
  attrs: { allowzero: attr.int.default(0) },
  doc: 'The same elements in a new shape (0 copies an input dim unless allowzero=1, one -1 is inferred).',
  infer: (ctx) => {
    const data = inputType(ctx, 0);
    requireIntegerInput(ctx, 1, 'shape');
    const target = constantValues(ctx, 1);
    if (target !== undefined) {
      return [tensorType(data.dtype, reshapeDims(ctx.node, data.shape, target, ctx.attrs.allowzero !== 0))];
    }
    const rank = vectorLength(ctx, 1);
    return [tensorType(data.dtype, rank === undefined ? undefined : freshDims(ctx.node, rank))];
  },
});

/** Flatten's two output dims: the product of the dims before axis and of those from axis on. */
export function flattenDims(node: Node, shape: readonly Dim[], axis: number): [Dim, Dim] {
  const rank = shape.length;
  if (axis < -rank || axis > rank) throw opError(node, `axis ${axis} out of range for rank ${rank}`);
  const a = axis < 0 ? axis + rank : axis;
  return [dimProduct(shape.slice(0, a)), dimProduct(shape.slice(a))];
}

export const Flatten = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Flatten',
  inputs: [{ name: 'input' }],
  outputs: [{ name: 'output' }],
  attrs: { axis: attr.int.default(1) },
  doc: 'The input as a 2-D matrix split before axis.',
  infer: (ctx) => {
    const t = inputType(ctx, 0);
    return [tensorType(t.dtype, t.shape === undefined ? freshDims(ctx.node, 2) : flattenDims(ctx.node, t.shape, ctx.attrs.axis))];
  },
});

/** Transpose's permutation: the given one, checked, or the reversed dims. */
export function transposePerm(node: Node, rank: number, perm: readonly number[] | undefined): number[] {
  if (perm === undefined) return Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (perm.length !== rank) throw opError(node, `perm [${perm.join(', ')}] has ${perm.length} entries for rank ${rank}`);
  try {
    return normalizeAxes(node, perm, rank);
  } catch {
    throw opError(node, `perm [${perm.join(', ')}] is not a permutation of 0..${rank - 1}`);
  }
}

export const Transpose = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Transpose',
  inputs: [{ name: 'data' }],
  outputs: [{ name: 'transposed' }],
  attrs: { perm: attr.ints.optional() },
  doc: 'Permutes the dims (reverses them when perm is not given).',
  infer: (ctx) => {
    const t = inputType(ctx, 0);
    const rank = t.shape?.length ?? ctx.attrs.perm?.length;
    if (rank === undefined) return [tensorType(t.dtype)];
    const perm = transposePerm(ctx.node, rank, ctx.attrs.perm);
    return [tensorType(t.dtype, t.shape === undefined ? freshDims(ctx.node, rank) : perm.map((p) => t.shape![p]!))];
  },
});

/** Squeeze's output dims; undefined when axes are not given and a symbolic dim might be 1. */
export function squeezeDims(node: Node, shape: readonly Dim[], axes: readonly number[] | undefined): Dim[] | undefined {
  if (axes === undefined) {
    if (shape.some((d) => !isKnown(d))) return undefined;
    return shape.filter((d) => d !== 1);
  }
  const drop = normalizeAxes(node, axes, shape.length);
  for (const a of drop) {
    const d = shape[a]!;
    if (isKnown(d) && d !== 1) throw opError(node, `cannot squeeze axis ${a} of size ${d}`);
  }
  return shape.filter((_, i) => !drop.includes(i));
}

export const Squeeze = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Squeeze',
  inputs: [{ name: 'data' }, { name: 'axes', optional: true }],
  outputs: [{ name: 'squeezed' }],
  attrs: {},
  doc: 'Removes the given size-1 axes (all size-1 axes when none are given).',
  infer: (ctx) => {
    const t = inputType(ctx, 0);
    requireIntegerInput(ctx, 1, 'axes');
    const axes = constantValues(ctx, 1);
    if (ctx.inputs[1] !== undefined && axes === undefined) {
      const n = vectorLength(ctx, 1);
      const rank = t.shape === undefined || n === undefined ? undefined : t.shape.length - n;
      return [tensorType(t.dtype, rank === undefined ? undefined : freshDims(ctx.node, rank))];
    }
    return [tensorType(t.dtype, t.shape === undefined ? undefined : squeezeDims(ctx.node, t.shape, axes))];
  },
});

/** Unsqueeze's output dims: size-1 dims inserted at the axes of the output. */
export function unsqueezeDims(node: Node, shape: readonly Dim[], axes: readonly number[]): Dim[] {
  const rank = shape.length + axes.length;
  const inserted = normalizeAxes(node, axes, rank);
  const rest = [...shape];
  return Array.from({ length: rank }, (_, i) => (inserted.includes(i) ? 1 : rest.shift()!));
}

export const Unsqueeze = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Unsqueeze',
  inputs: [{ name: 'data' }, { name: 'axes' }],
  outputs: [{ name: 'expanded' }],
  attrs: {},
  doc: 'Inserts size-1 axes at the given positions of the output.',
  infer: (ctx) => {
    const t = inputType(ctx, 0);
    requireIntegerInput(ctx, 1, 'axes');
    const axes = constantValues(ctx, 1);
    if (t.shape !== undefined && axes !== undefined) return [tensorType(t.dtype, unsqueezeDims(ctx.node, t.shape, axes))];
    const n = axes?.length ?? vectorLength(ctx, 1);
    const rank = t.shape === undefined || n === undefined ? undefined : t.shape.length + n;
    return [tensorType(t.dtype, rank === undefined ? undefined : freshDims(ctx.node, rank))];
  },
});

export const Expand = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Expand',
  inputs: [{ name: 'input' }, { name: 'shape' }],
  outputs: [{ name: 'output' }],
  attrs: {},
  doc: 'Broadcasts the input against a shape (both ways, like numpy: a 1 in the shape keeps the input dim).',
  infer: (ctx) => {
    const t = inputType(ctx, 0);
    requireIntegerInput(ctx, 1, 'shape');
    const target = constantValues(ctx, 1);
    if (target !== undefined) return [tensorType(t.dtype, broadcastShapes(ctx.node, [t.shape, target]))];
    const n = vectorLength(ctx, 1);
    if (t.shape === undefined || n === undefined) return [tensorType(t.dtype)];
    // An input dim other than 1 survives whatever the shape says there; the rest come from the run-time shape.
    const rank = Math.max(n, t.shape.length);
    const dims = Array.from({ length: rank }, (_, i): Dim => {
      const d = t.shape![i - (rank - t.shape!.length)];
      return d !== undefined && isKnown(d) && d !== 1 ? d : freshDim(ctx.node, i);
    });
    return [tensorType(t.dtype, dims)];
  },
});
