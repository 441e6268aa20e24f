// Helpers the nn kernels share: float64 working copies, one-way broadcasting, output tensors.
import type { DType } from '../../../ir/dtype.js';
import type { Node } from '../../../ir/graph.js';
import { opError } from '../../../ir/ops/shape-util.js';
import { type Tensor, allocData, numel, roundInPlace } from '../../../ir/tensor.js';
import { broadcastStrides } from '../strides.js';

/** A tensor holding `values` (computed in float64), rounded to what dtype stores. */
export function tensorOf(dtype: DType, shape: readonly number[], values: ArrayLike<number>): Tensor {
  const data = allocData(dtype, values.length);
  data.set(values);
  roundInPlace(dtype, data);
  return { dtype, shape: [...shape], data };
}

/** The values of t broadcast one way onto `shape` (right-aligned), as float64. */
export function expandTo(node: Node, t: Tensor, shape: readonly number[], what: string): Float64Array {
  const rank = shape.length;
  const fits = t.shape.length <= rank && t.shape.every((d, i) => d === 1 || d === shape[rank - t.shape.length + i]);
  if (!fits) throw opError(node, `${what} [${t.shape.join(', ')}] does not broadcast to [${shape.join(', ')}]`);
  const out = new Float64Array(numel(shape));
  if (t.data.length === out.length) { out.set(t.data); return out; }
  const strides = broadcastStrides(t.shape, rank);
  const coord = new Array<number>(rank).fill(0);
  let src = 0;
  for (let flat = 0; flat < out.length; flat++) {
    out[flat] = t.data[src]!;
    for (let d = rank - 1; d >= 0; d--) {
      coord[d]!++;
      src += strides[d]!;
      if (coord[d]! < shape[d]!) break;
      src -= coord[d]! * strides[d]!;
      coord[d] = 0;
    }
  }
  return out;
}

/** The outputs the node declares (optional trailing outputs it leaves off are dropped). */
export function declaredOutputs(node: Node, outputs: readonly Tensor[]): Tensor[] {
  return outputs.slice(0, Math.max(1, node.outputs.length));
}

/** Product of shape[from..to). */
export function spanSize(shape: readonly number[], from: number, to = shape.length): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= shape[i]!;
  return n;
}
