// Inference helpers for ops whose output shape depends on the values of an input
// (Reshape's shape, Slice's starts, Range's limits): read the input when it is a
// constant, otherwise keep what is known (the rank) and name the rest with fresh symbols.
import { type Dim, isKnown, sym } from '../dim.js';
import type { Node } from '../graph.js';
import type { Tensor } from '../tensor.js';
import { opError } from './shape-util.js';
import type { InferContext } from './spec.js';

/** The values of input i when it is a constant; undefined when absent or computed at run time. */
export function constantValues(ctx: InferContext, i: number): number[] | undefined {
  if (ctx.inputs[i] === undefined) return undefined;
  const t = ctx.constant(i);
  return t === undefined ? undefined : Array.from(t.data);
}

/** A symbol for a size only known at run time, named after the node so that it reads in dumps. */
export function freshDim(node: Node, suffix: string | number): Dim {
  return sym(`${node.name}_${typeof suffix === 'number' ? `d${suffix}` : suffix}`);
}

/** `count` fresh dims `${node}_d0`, `${node}_d1`, ... */
export function freshDims(node: Node, count: number, prefix = 'd'): Dim[] {
  return Array.from({ length: count }, (_, k) => sym(`${node.name}_${prefix}${k}`));
}

/** The static length of a 1-D input (a shape, axes or pads vector), when known. */
export function vectorLength(ctx: InferContext, i: number): number | undefined {
  const shape = ctx.inputs[i]?.shape;
  if (shape === undefined) return undefined;
  if (shape.length === 0) return 1;
  const d = shape[0];
  return shape.length === 1 && d !== undefined && isKnown(d) ? d : undefined;
}

/** The one value of a scalar (or one-element) tensor, a user error naming the node otherwise. */
export function scalarValue(node: Node, t: Tensor, what: string): number {
  if (t.data.length !== 1) throw opError(node, `${what} must hold one value, found shape [${t.shape.join(', ')}]`);
  return t.data[0]!;
}

/** Axes made non-negative against a rank, rejecting duplicates. */
export function normalizeAxes(node: Node, axes: readonly number[], rank: number): number[] {
  const out = axes.map((a) => {
    if (!Number.isInteger(a) || a < -rank || a >= rank) throw opError(node, `axis ${a} out of range for rank ${rank}`);
    return a < 0 ? a + rank : a;
  });
  if (new Set(out).size !== out.length) throw opError(node, `repeated axis in [${axes.join(', ')}]`);
  return out;
}

/** Requires an integer-typed input (indices, shapes, axes). */
export function requireIntegerInput(ctx: InferContext, i: number, what: string): void {
  const t = ctx.inputs[i];
  if (t !== undefined && t.dtype !== 'int64' && t.dtype !== 'int32') {
    throw opError(ctx.node, `${what} (input ${i}) must be int64 or int32, found ${t.dtype}`);
  }
}

/** Dims of a shape-valued input: its values when constant, fresh symbols of the right count otherwise. */
export function shapeFromInput(ctx: InferContext, i: number): Dim[] | undefined {
  const values = constantValues(ctx, i);
  if (values !== undefined) {
    if (values.some((v) => v < 0)) throw opError(ctx.node, `shape [${values.join(', ')}] has a negative dim`);
    return values;
  }
  const n = vectorLength(ctx, i);
  return n === undefined ? undefined : freshDims(ctx.node, n);
}
