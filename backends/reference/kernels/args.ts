// Input checks the shape and indexing kernels share.
import { type Dim, dimToString, isKnown } from '../../../ir/dim.js';
import type { Node } from '../../../ir/graph.js';
import { opError } from '../../../ir/ops/shape-util.js';
import type { Tensor } from '../../../ir/tensor.js';
import type { Inputs } from '../kernel.js';

/** Input i, which the op requires; a user error naming the node when it is absent. */
export function required(inputs: Inputs, i: number, node: Node): Tensor {
  const t = inputs[i];
  if (t === undefined) throw opError(node, `input ${i} is required`);
  return t;
}

/** The values of a small integer tensor (a shape, axes, pads or indices vector). */
export function valuesOf(t: Tensor): number[] {
  return Array.from(t.data);
}

/** A shape computed by an inference helper, which must be concrete once values are known. */
export function concreteShape(node: Node, dims: readonly Dim[]): number[] {
  return dims.map((d) => {
    if (!isKnown(d)) throw new Error(`${node.name}: shape helper left symbolic dim ${dimToString(d)} on concrete input`);
    return d;
  });
}

/** An index into an axis of `size`, negative counting from the end; a user error naming the node when out of range. */
export function indexInto(node: Node, index: number, size: number, what: string): number {
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw opError(node, `${what} ${index} is out of range for size ${size}`);
  }
  return index < 0 ? index + size : index;
}
