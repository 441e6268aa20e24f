// Data-movement ops resolved at plan time: every size, axis and offset they need is known
// (as a number or a symbolic dim), so generated kernels turn them into index arithmetic and
// affine ones into free views. Shape-valued inputs (Reshape targets, Slice bounds) come from
// the symbolic shape values of the graph.
import { type Dim, dimAdd, dimDiv, dimEq, dimProduct, dimSub, isKnown } from '../../ir/dim.js';
import type { Node } from '../../ir/graph.js';
import { broadcastShapes, normalizeAxis, opError, shapeString } from '../../ir/ops/shape-util.js';
import type { ShapeValue } from '../../passes/shape-values.js';

export type Movement =
  | { readonly kind: 'reshape'; readonly from: readonly Dim[]; readonly out: readonly Dim[] }
  | { readonly kind: 'transpose'; readonly perm: readonly number[]; readonly out: readonly Dim[] }
  | { readonly kind: 'expand'; readonly from: readonly Dim[]; readonly out: readonly Dim[] }
  | { readonly kind: 'slice'; readonly starts: readonly Dim[]; readonly steps: readonly number[]; readonly out: readonly Dim[] }
  | { readonly kind: 'concat'; readonly axis: number; readonly sizes: readonly Dim[]; readonly out: readonly Dim[] }
  | { readonly kind: 'gather'; readonly axis: number; readonly axisSize: Dim; readonly indexRank: number; readonly out: readonly Dim[] }
  | { readonly kind: 'gathernd'; readonly depth: number; readonly dataShape: readonly Dim[]; readonly out: readonly Dim[] }
  | { readonly kind: 'range'; readonly start: Dim; readonly delta: Dim; readonly out: readonly Dim[] }
  | { readonly kind: 'fill'; readonly value: number; readonly out: readonly Dim[] };

export const MOVEMENT_OPS = new Set([
  'Identity', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Expand', 'Slice', 'Split',
  'Concat', 'Gather', 'GatherND', 'Range', 'ConstantOfShape',
]);

export interface MovementContext {
  shape(i: number): readonly Dim[];
  value(i: number): ShapeValue | undefined;
}

/** Resolves a movement node (output `out` for Split) into sizes and offsets. */
export function describeMovement(node: Node, ctx: MovementContext, out = 0): Movement {
  const ints = (i: number, what: string): number[] => knownInts(node, ctx.value(i), what);
  const attrInts = (name: string) => (node.attrs[name]?.kind === 'ints' ? (node.attrs[name].value as number[]) : undefined);
  const attrInt = (name: string, fallback: number) => (node.attrs[name]?.kind === 'int' ? (node.attrs[name].value as number) : fallback);
  switch (node.op) {
    case 'Identity': return { kind: 'reshape', from: ctx.shape(0), out: ctx.shape(0) };
    case 'Reshape': return reshape(node, ctx.shape(0), dimsOf(node, ctx.value(1), 'shape'), attrInt('allowzero', 0));
    case 'Flatten': {
      const x = ctx.shape(0);
      const axis = normalizeAxis(node, attrInt('axis', 1), x.length + 1);
      return { kind: 'reshape', from: x, out: [dimProduct(x.slice(0, axis)), dimProduct(x.slice(axis))] };
    }
    case 'Squeeze': {
      const x = ctx.shape(0);
      const given = node.inputs[1] ? ints(1, 'axes') : attrInts('axes');
      const axes = given?.map((a) => normalizeAxis(node, a, x.length)) ?? x.flatMap((d, i) => (d === 1 ? [i] : []));
      return { kind: 'reshape', from: x, out: x.filter((_, i) => !axes.includes(i)) };
    }
    case 'Unsqueeze': {
      const x = ctx.shape(0);
      const given = node.inputs[1] ? ints(1, 'axes') : (attrInts('axes') ?? []);
      const rank = x.length + given.length;
      const axes = given.map((a) => normalizeAxis(node, a, rank));
      const rest = [...x];
      return { kind: 'reshape', from: x, out: Array.from({ length: rank }, (_, i) => (axes.includes(i) ? 1 : rest.shift()!)) };
    }
    case 'Transpose': {
      const x = ctx.shape(0);
      const perm = attrInts('perm') ?? x.map((_, i) => x.length - 1 - i);
      return { kind: 'transpose', perm, out: perm.map((p) => x[p]!) };
    }
    case 'Expand': {
      const x = ctx.shape(0);
      const target = dimsOf(node, ctx.value(1), 'shape');
      const rank = Math.max(x.length, target.length);
      const from = [...new Array<Dim>(rank - x.length).fill(1), ...x];
      const to = [...new Array<Dim>(rank - target.length).fill(1), ...target];
      return { kind: 'expand', from, out: from.map((d, i) => (to[i] === 1 ? d : to[i]!)) };
    }
    case 'Slice': return slice(node, ctx);
    case 'Split': return split(node, ctx, out);
    case 'Concat': {
      const shapes = node.inputs.map((_, i) => ctx.shape(i));
      const axis = normalizeAxis(node, attrInt('axis', 0), shapes[0]!.length);
      const sizes = shapes.map((s) => s[axis]!);
      const outShape = [...shapes[0]!];
      outShape[axis] = sizes.reduce<Dim>((a, b) => dimAdd(a, b), 0);
      return { kind: 'concat', axis, sizes, out: outShape };
    }
    case 'Gather': {
      const data = ctx.shape(0);
      const idx = ctx.shape(1);
      const axis = normalizeAxis(node, attrInt('axis', 0), data.length);
      return { kind: 'gather', axis, axisSize: data[axis]!, indexRank: idx.length, out: [...data.slice(0, axis), ...idx, ...data.slice(axis + 1)] };
    }
    case 'GatherND': {
      if (attrInt('batch_dims', 0) !== 0) throw opError(node, 'GatherND with batch_dims != 0 is not supported by the Triton backend');
      const data = ctx.shape(0);
      const idx = ctx.shape(1);
      const depth = idx[idx.length - 1];
      if (depth === undefined || !isKnown(depth) || depth > data.length) throw opError(node, `indices ${shapeString(idx)} need a known last dim <= ${data.length}`);
      return { kind: 'gathernd', depth, dataShape: data, out: [...idx.slice(0, -1), ...data.slice(depth)] };
    }
    case 'Range': {
      const [start, limit, delta] = [0, 1, 2].map((i) => scalarOf(node, ctx.value(i), ['start', 'limit', 'delta'][i]!));
      return { kind: 'range', start: start!, delta: delta!, out: [rangeLength(node, start!, limit!, delta!)] };
    }
    case 'ConstantOfShape': {
      const a = node.attrs.value;
      const value = a?.kind === 'tensor' ? (a.value.data[0] ?? 0) : 0;
      return { kind: 'fill', value, out: dimsOf(node, ctx.value(0), 'shape') };
    }
    default: throw opError(node, `not a data-movement op`);
  }
}

function knownInts(node: Node, v: ShapeValue | undefined, what: string): number[] {
  if (v === undefined || !v.dims.every(isKnown)) throw opError(node, `${what} must be a constant for the Triton backend`);
  return v.dims as number[];
}

function dimsOf(node: Node, v: ShapeValue | undefined, what: string): Dim[] {
  if (v === undefined) throw opError(node, `${what} must be computable at plan time from the input shapes`);
  return [...v.dims];
}

function scalarOf(node: Node, v: ShapeValue | undefined, what: string): Dim {
  const d = v?.dims[0];
  if (v === undefined || v.dims.length !== 1 || d === undefined) throw opError(node, `${what} must be computable at plan time`);
  return d;
}

function rangeLength(node: Node, start: Dim, limit: Dim, delta: Dim): Dim {
  if (delta === 1) return dimSub(limit, start);
  if (isKnown(start) && isKnown(limit) && isKnown(delta) && delta !== 0) return Math.max(0, Math.ceil((limit - start) / delta));
  throw opError(node, 'Range with a symbolic bound needs delta 1');
}

function reshape(node: Node, from: readonly Dim[], target: readonly Dim[], allowzero: number): Movement {
  const dims = target.map((d, i) => (d === 0 && allowzero === 0 ? from[i]! : d));
  const inferred = dims.findIndex((d) => d === -1);
  if (inferred >= 0) {
    const rest = dimProduct(dims.filter((_, i) => i !== inferred));
    const size = dimDiv(dimProduct(from), rest);
    if (size === undefined) throw opError(node, `cannot infer -1 in reshape of ${shapeString(from)} to ${shapeString(dims)}`);
    dims[inferred] = size;
  }
  if (!dimEq(dimProduct(dims), dimProduct(from))) throw opError(node, `reshape of ${shapeString(from)} to ${shapeString(dims)} changes the element count`);
  return { kind: 'reshape', from, out: dims };
}

const HUGE = 2 ** 31;

function slice(node: Node, ctx: MovementContext): Movement {
  const x = ctx.shape(0);
  const attrList = (name: string) => (node.attrs[name]?.kind === 'ints' ? (node.attrs[name].value as number[]) : undefined);
  const fromInput = node.inputs.length > 1;
  const starts = fromInput ? dimsOf(node, ctx.value(1), 'starts') : (attrList('starts') ?? []);
  const ends = fromInput ? dimsOf(node, ctx.value(2), 'ends') : (attrList('ends') ?? []);
  const axes = fromInput && node.inputs[3] ? knownInts(node, ctx.value(3), 'axes') : (attrList('axes') ?? starts.map((_, i) => i));
  const steps = fromInput && node.inputs[4] ? knownInts(node, ctx.value(4), 'steps') : starts.map(() => 1);
  const outStarts: Dim[] = x.map(() => 0);
  const outSteps = x.map(() => 1);
  const out = [...x];
  axes.forEach((a, j) => {
    const axis = normalizeAxis(node, a, x.length);
    const [d, step] = [x[axis]!, steps[j]!];
    if (step <= 0) throw opError(node, `Slice with step ${step} is not supported by the Triton backend`);
    const s = bound(starts[j]!, d);
    const e = bound(ends[j]!, d);
    const length = step === 1 ? dimSub(e, s) : isKnown(e) && isKnown(s) ? Math.max(0, Math.ceil((e - s) / step)) : undefined;
    if (length === undefined) throw opError(node, 'Slice with a step over a symbolic dim is not supported');
    outStarts[axis] = s;
    outSteps[axis] = step;
    out[axis] = length;
  });
  return { kind: 'slice', starts: outStarts, steps: outSteps, out };
}

// A start or end clamped into [0, d]; a symbolic bound is taken as within range (checked at max by the planner).
function bound(v: Dim, d: Dim): Dim {
  if (!isKnown(v)) return v;
  if (v >= HUGE) return d;
  if (v < 0) return isKnown(d) ? Math.max(0, d + v) : dimAdd(d, v);
  return isKnown(d) ? Math.min(v, d) : v;
}

function split(node: Node, ctx: MovementContext, out: number): Movement {
  const x = ctx.shape(0);
  const axis = normalizeAxis(node, node.attrs.axis?.kind === 'int' ? node.attrs.axis.value : 0, x.length);
  const given = node.inputs[1] ? knownInts(node, ctx.value(1), 'split') : node.attrs.split?.kind === 'ints' ? node.attrs.split.value : undefined;
  let sizes: Dim[];
  if (given !== undefined) sizes = [...given];
  else {
    const each = dimDiv(x[axis]!, node.outputs.length);
    if (each === undefined) throw opError(node, `cannot split ${shapeString(x)} evenly into ${node.outputs.length}`);
    sizes = node.outputs.map(() => each);
  }
  const start = sizes.slice(0, out).reduce<Dim>((a, b) => dimAdd(a, b), 0);
  const starts: Dim[] = x.map((_, i) => (i === axis ? start : 0));
  const shape = [...x];
  shape[axis] = sizes[out]!;
  return { kind: 'slice', starts, steps: x.map(() => 1), out: shape };
}

/** Numpy broadcasting of input shapes (the shape of an elementwise node's output). */
export function broadcastOf(node: Node, shapes: readonly (readonly Dim[])[]): Dim[] {
  return broadcastShapes(node, shapes) ?? [];
}

