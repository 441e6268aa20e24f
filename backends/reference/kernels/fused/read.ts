// Element access the fused kernels share: required inputs and broadcast reads by coordinate.
import type { Node } from '../../../../ir/graph.js';
import { opError } from '../../../../ir/ops/shape-util.js';
import type { Tensor } from '../../../../ir/tensor.js';
import type { Inputs } from '../../kernel.js';

/** Input i, which the op requires; a user error naming the node when it is absent. */
export function requiredInput(inputs: Inputs, i: number, node: Node, what: string): Tensor {
  const t = inputs[i];
  if (t === undefined) throw opError(node, `${what} (input ${i}) is required`);
  return t;
}

/**
 * Strides that read `shape` broadcast onto a target of rank `rank` (numpy rules, aligned
 * right): 0 along dims the source repeats. The caller has checked that it broadcasts.
 */
export function broadcastStridesTo(node: Node, what: string, shape: readonly number[], target: readonly number[]): number[] {
  if (shape.length > target.length) throw opError(node, `${what} [${shape.join(', ')}] has more dims than [${target.join(', ')}]`);
  const strides = new Array<number>(target.length).fill(0);
  const lead = target.length - shape.length;
  for (let d = shape.length - 1, acc = 1; d >= 0; d--) {
    const size = shape[d]!;
    if (size !== 1 && size !== target[lead + d]) {
      throw opError(node, `${what} [${shape.join(', ')}] does not broadcast to [${target.join(', ')}]`);
    }
    if (size !== 1) strides[lead + d] = acc;
    acc *= size;
  }
  return strides;
}

/** Product of dims. */
export function sizeOf(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** The dims of a rank-4 input; a user error naming the node otherwise. */
export function shape4(node: Node, what: string, t: Tensor): [number, number, number, number] {
  const [a, b, c, d] = t.shape;
  if (t.shape.length !== 4 || a === undefined || b === undefined || c === undefined || d === undefined) {
    throw opError(node, `${what} must have rank 4, found [${t.shape.join(', ')}]`);
  }
  return [a, b, c, d];
}

/** A tensor's values broadcast (numpy rules) onto `target`, as float64: small and clear, not fast. */
export function expandTo(node: Node, what: string, t: Tensor, target: readonly number[]): Float64Array {
  const strides = broadcastStridesTo(node, what, t.shape, target);
  const out = new Float64Array(sizeOf(target));
  const coord = new Array<number>(target.length).fill(0);
  for (let flat = 0; flat < out.length; flat++) {
    let from = 0;
    for (let d = 0; d < coord.length; d++) from += coord[d]! * strides[d]!;
    out[flat] = t.data[from]!;
    for (let d = target.length - 1; d >= 0; d--) {
      coord[d]!++;
      if (coord[d]! < target[d]!) break;
      coord[d] = 0;
    }
  }
  return out;
}
