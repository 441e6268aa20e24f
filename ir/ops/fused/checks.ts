// Input checks the fused op specs share: float inputs, ranks, and known dims that must agree.
import { type Dim, isKnown } from '../../dim.js';
import { isFloat } from '../../dtype.js';
import type { Node } from '../../graph.js';
import type { TensorType } from '../../types.js';
import { inputType, opError, shapeString } from '../shape-util.js';
import type { InferContext } from '../spec.js';

/** Input i, required and of a float dtype. */
export function floatInput(ctx: InferContext, i: number, what: string): TensorType {
  const t = inputType(ctx, i);
  if (!isFloat(t.dtype)) throw opError(ctx.node, `${what} (input ${i}) must be a float tensor, found ${t.dtype}`);
  return t;
}

/** Optional input i: undefined when absent, otherwise of the given dtype. */
export function optionalOfDType(ctx: InferContext, i: number, what: string, dtype: TensorType['dtype']): TensorType | undefined {
  const t = ctx.inputs[i];
  if (t !== undefined && t.dtype !== dtype) throw opError(ctx.node, `${what} (input ${i}) is ${t.dtype}, expected ${dtype}`);
  return t;
}

/** Requires a known rank to be one of the allowed ones. */
export function requireRank(node: Node, what: string, shape: readonly Dim[] | undefined, ranks: readonly number[]): void {
  if (shape !== undefined && !ranks.includes(shape.length)) {
    throw opError(node, `${what} must have rank ${ranks.join(' or ')}, found ${shapeString(shape)}`);
  }
}

/** Requires two dims to agree when both are known sizes (symbols may still be equal at run time). */
export function requireSameDim(node: Node, what: string, a: Dim | undefined, b: Dim | undefined): void {
  if (a !== undefined && b !== undefined && isKnown(a) && isKnown(b) && a !== b) {
    throw opError(node, `${what}: ${a} != ${b}`);
  }
}

/** Requires `shape` to broadcast onto `target` without growing it (numpy rules, aligned right). */
export function requireBroadcastsTo(node: Node, what: string, shape: readonly Dim[] | undefined, target: readonly Dim[] | undefined): void {
  if (shape === undefined || target === undefined) return;
  // The message is written only on failure: fused nodes' inference checks this on every rewrite.
  const problem = () => opError(node, `${what} ${shapeString(shape)} does not broadcast to ${shapeString(target)}`);
  if (shape.length > target.length) throw problem();
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    const t = target[target.length - shape.length + i]!;
    if (isKnown(d) && d !== 1 && isKnown(t) && d !== t) throw problem();
  }
}

/** Requires an int attribute to be 0 or 1. */
export function requireFlag(node: Node, name: string, value: number): void {
  if (value !== 0 && value !== 1) throw opError(node, `attribute '${name}' must be 0 or 1, found ${value}`);
}

/** Requires a string attribute to be one of the allowed values, and returns it typed. */
export function oneOf<const T extends string>(node: Node, name: string, value: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a === value);
  if (found === undefined) throw opError(node, `attribute '${name}' is '${value}', expected one of ${allowed.join(', ')}`);
  return found;
}

/** The four dims of a shape already checked to have rank 4. */
export function dims4(shape: readonly Dim[]): [Dim, Dim, Dim, Dim] {
  return [shape[0]!, shape[1]!, shape[2]!, shape[3]!];
}
