// Strided views of attention operands as [batch, heads, seq, size], whether the tensor
// is laid out 4-D [B, H, S, D] or 3-D [B, S, H*D].
import type { Node } from '../../../ir/graph.js';
import { opError } from '../../../ir/ops/shape-util.js';
import type { TensorData } from '../../../ir/tensor.js';

export interface HeadView {
  readonly data: TensorData | Float64Array;
  readonly batch: number;
  readonly heads: number;
  readonly seq: number;
  readonly size: number;
  /** Element (b, h, s, d) sits at b*batchStride + h*headStride + s*seqStride + d. */
  readonly batchStride: number;
  readonly headStride: number;
  readonly seqStride: number;
}

/** The view of a 3-D or 4-D tensor; `heads` is required for 3-D. */
export function headView(node: Node, what: string, t: { shape: readonly number[]; data: TensorData | Float64Array }, heads: number | undefined): HeadView {
  const s = t.shape;
  if (s.length === 4) {
    const [batch, h, seq, size] = s as [number, number, number, number];
    if (heads !== undefined && heads !== h) throw opError(node, `${what} has ${h} heads, the num_heads attribute says ${heads}`);
    return { data: t.data, batch, heads: h, seq, size, batchStride: h * seq * size, headStride: seq * size, seqStride: size };
  }
  if (s.length !== 3) throw opError(node, `${what} must be 3-D or 4-D, found [${s.join(', ')}]`);
  if (heads === undefined || heads < 1) throw opError(node, `${what} is 3-D, so its head count attribute is required`);
  const [batch, seq, hidden] = s as [number, number, number];
  if (hidden % heads !== 0) throw opError(node, `${what} hidden size ${hidden} is not divisible by ${heads} heads`);
  const size = hidden / heads;
  return { data: t.data, batch, heads, seq, size, batchStride: seq * hidden, headStride: size, seqStride: hidden };
}

/** Offset of (b, h, s, 0) in a view. */
export function rowOffset(v: HeadView, b: number, h: number, s: number): number {
  return b * v.batchStride + h * v.headStride + s * v.seqStride;
}

/** A view's values as a contiguous float64 [B, H, S, D] array. */
export function contiguous(v: HeadView): Float64Array {
  const out = new Float64Array(v.batch * v.heads * v.seq * v.size);
  let o = 0;
  for (let b = 0; b < v.batch; b++) for (let h = 0; h < v.heads; h++) for (let s = 0; s < v.seq; s++) {
    const from = rowOffset(v, b, h, s);
    for (let d = 0; d < v.size; d++) out[o++] = v.data[from + d]!;
  }
  return out;
}
