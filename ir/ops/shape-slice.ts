// Op specs: ops that cut or join along axes (Concat, Split, Slice).
// The dim helpers are shared with the reference kernels.
import { attr } from '../attrs.js';
import { type Dim, dimAdd, dimDiv, dimEq, dimSub, isKnown } from '../dim.js';
import { ONNX_DOMAIN, type Node } from '../graph.js';
import { tensorType } from '../types.js';
import { constantValues, freshDim, normalizeAxes, requireIntegerInput } from './shape-inputs.js';
import { inputType, normalizeAxis, opError, sameDType, shapeString } from './shape-util.js';
import { defineOp } from './spec.js';

/** Concat's output dims: the inputs' dims, with the axis dims added up. */
export function concatDims(node: Node, shapes: readonly (readonly Dim[])[], axis: number): Dim[] {
  const first = shapes[0];
  if (first === undefined) throw opError(node, 'needs at least one input');
  const a = normalizeAxis(node, axis, first.length);
  const out = [...first];
  for (const s of shapes.slice(1)) {
    const mismatch = () => opError(node, `cannot concatenate ${shapeString(first)} and ${shapeString(s)} on axis ${axis}`);
    if (s.length !== first.length) throw mismatch();
    s.forEach((d, i) => {
      const o = out[i]!;
      if (i === a) out[i] = dimAdd(o, d);
      else if (!dimEq(o, d)) {
        if (isKnown(o) && isKnown(d)) throw mismatch();
        if (isKnown(d)) out[i] = d;
      }
    });
  }
  return out;
}

export const Concat = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Concat',
  inputs: [{ name: 'inputs', variadic: true }],
  outputs: [{ name: 'concat_result' }],
  attrs: { axis: attr.int.required() },
  doc: 'Joins the inputs along an axis.',
  infer: (ctx) => {
    const dtype = sameDType(ctx, ctx.inputs.map((_, i) => i));
    const shapes = ctx.inputs.map((t) => t?.shape);
    const known = shapes.filter((s): s is readonly Dim[] => s !== undefined);
    if (known.length === shapes.length) return [tensorType(dtype, concatDims(ctx.node, known, ctx.attrs.axis))];
    const some = known[0];
    if (some === undefined) return [tensorType(dtype)];
    const a = normalizeAxis(ctx.node, ctx.attrs.axis, some.length);
    return [tensorType(dtype, some.map((d, i) => (i === a ? freshDim(ctx.node, i) : d)))];
  },
});

/**
 * The sizes of Split's outputs along the axis: the split input, or equal chunks with a
 * smaller last one (opset 18's num_outputs rule); undefined when a symbolic dim does not divide.
 */
export function splitSizes(node: Node, dim: Dim, count: number, split: readonly number[] | undefined, numOutputs: number | undefined): Dim[] | undefined {
  if (numOutputs !== undefined && numOutputs !== count) {
    throw opError(node, `num_outputs is ${numOutputs} but the node has ${count} outputs`);
  }
  if (split !== undefined) {
    if (split.length !== count) throw opError(node, `split has ${split.length} entries for ${count} outputs`);
    if (split.some((s) => s < 0)) throw opError(node, `split [${split.join(', ')}] has a negative size`);
    const total = split.reduce((a, b) => a + b, 0);
    if (isKnown(dim) && total !== dim) throw opError(node, `split [${split.join(', ')}] sums to ${total}, the axis has ${dim}`);
    return [...split];
  }
  if (!isKnown(dim)) {
    const chunk = dimDiv(dim, count);
    return chunk === undefined ? undefined : new Array<Dim>(count).fill(chunk);
  }
  const chunk = Math.ceil(dim / count);
  const last = dim - chunk * (count - 1);
  if (last < 0) throw opError(node, `cannot split an axis of ${dim} into ${count} chunks`);
  return [...new Array<number>(count - 1).fill(chunk), last];
}

export const Split = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Split',
  inputs: [{ name: 'input' }, { name: 'split', optional: true }],
  outputs: [{ name: 'outputs', variadic: true }],
  attrs: { axis: attr.int.default(0), num_outputs: attr.int.optional() },
  doc: 'Cuts the input along an axis, by the split sizes or into equal chunks.',
  infer: (ctx) => {
    const t = inputType(ctx, 0);
    requireIntegerInput(ctx, 1, 'split');
    const count = ctx.node.outputs.length;
    if (t.shape === undefined) return new Array(count).fill(tensorType(t.dtype));
    const shape = t.shape;
    const a = normalizeAxis(ctx.node, ctx.attrs.axis, shape.length);
    const split = constantValues(ctx, 1);
    const sizes = ctx.inputs[1] !== undefined && split === undefined
      ? undefined
      : splitSizes(ctx.node, shape[a]!, count, split, ctx.attrs.num_outputs);
    return Array.from({ length: count }, (_, k) =>
      tensorType(t.dtype, shape.map((d, i) => (i !== a ? d : sizes?.[k] ?? freshDim(ctx.node, `o${k}_d${i}`)))));
  },
});

/** One sliced axis: read `length` elements from `start` in steps of `step`. */
export interface AxisSlice {
  readonly axis: number;
  readonly start: number;
  readonly step: number;
  readonly length: number;
}

/** Slice's inputs checked and lined up per axis (axes default to 0..n-1, steps to 1). */
export function sliceAxes(
  node: Node, rank: number, starts: readonly number[], ends: readonly number[],
  axes: readonly number[] | undefined, steps: readonly number[] | undefined,
): { axis: number; start: number; end: number; step: number }[] {
  const n = starts.length;
  if (ends.length !== n) throw opError(node, `starts has ${n} entries but ends has ${ends.length}`);
  if (axes !== undefined && axes.length !== n) throw opError(node, `starts has ${n} entries but axes has ${axes.length}`);
  if (steps !== undefined && steps.length !== n) throw opError(node, `starts has ${n} entries but steps has ${steps.length}`);
  const normalized = normalizeAxes(node, axes ?? starts.map((_, i) => i), rank);
  return normalized.map((axis, i) => {
    const step = steps?.[i] ?? 1;
    if (step === 0) throw opError(node, `step on axis ${axis} is 0`);
    return { axis, start: starts[i]!, end: ends[i]!, step };
  });
}

/** Clamps a slice to an axis of known size the ONNX way; huge ends (INT64_MAX) mean "to the end". */
export function clampSlice(axis: number, start: number, end: number, step: number, dim: number): AxisSlice {
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) [s, e] = [clamp(s, 0, dim), clamp(e, 0, dim)];
  else [s, e] = [clamp(s, 0, dim - 1), clamp(e, -1, dim - 1)];
  return { axis, start: s, step, length: Math.max(0, Math.ceil((e - s) / step)) };
}

// Ends at least this large are "to the end" of any axis an export meets (INT32_MAX, INT64_MAX).
const TO_THE_END = 2 ** 31 - 1;

/** The sliced size of a symbolic dim, for the slices exports write; undefined for the rest. */
function slicedSymbolicDim(dim: Dim, start: number, end: number, step: number): Dim | undefined {
  if (step !== 1) return undefined;
  // Both forms assume the dim is at least the offset, as the traced program did.
  if (start >= 0 && end >= TO_THE_END) return dimSub(dim, start);
  if (start === 0 && end < 0) return dimAdd(dim, end);
  return undefined;
}

/** Slice's output dims for constant starts/ends/axes/steps. */
export function sliceDims(
  node: Node, shape: readonly Dim[], starts: readonly number[], ends: readonly number[],
  axes: readonly number[] | undefined, steps: readonly number[] | undefined,
): Dim[] {
  const out = [...shape];
  for (const { axis, start, end, step } of sliceAxes(node, shape.length, starts, ends, axes, steps)) {
    const d = shape[axis]!;
    out[axis] = isKnown(d)
      ? clampSlice(axis, start, end, step, d).length
      : slicedSymbolicDim(d, start, end, step) ?? freshDim(node, axis);
  }
  return out;
}

export const Slice = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Slice',
  inputs: [{ name: 'data' }, { name: 'starts' }, { name: 'ends' }, { name: 'axes', optional: true }, { name: 'steps', optional: true }],
  outputs: [{ name: 'output' }],
  attrs: {},
  doc: 'A strided window of the input, per axis (negative steps walk backwards).',
  infer: (ctx) => {
    const t = inputType(ctx, 0);
    [1, 2, 3, 4].forEach((i) => requireIntegerInput(ctx, i, ['starts', 'ends', 'axes', 'steps'][i - 1]!));
    if (t.shape === undefined) return [tensorType(t.dtype)];
    const [starts, ends, axes, steps] = [1, 2, 3, 4].map((i) => constantValues(ctx, i));
    const present = (i: number) => ctx.inputs[i] !== undefined;
    if (starts !== undefined && ends !== undefined && (axes !== undefined || !present(3)) && (steps !== undefined || !present(4))) {
      return [tensorType(t.dtype, sliceDims(ctx.node, t.shape, starts, ends, axes, steps))];
    }
    // Values known only at run time: the sliced axes get fresh dims (all of them when axes are unknown too).
    const sliced = axes !== undefined ? normalizeAxes(ctx.node, axes, t.shape.length) : undefined;
    return [tensorType(t.dtype, t.shape.map((d, i) => (sliced === undefined || sliced.includes(i) ? freshDim(ctx.node, i) : d)))];
  },
});

