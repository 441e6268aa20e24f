// Reference kernels: MatMul and Gemm, accumulating in float64 with an i-k-j loop.
import { Gemm, MatMul, gemmDims, matmulDims } from '../../../ir/ops/matmul.js';
import { opError } from '../../../ir/ops/shape-util.js';
import type { TensorData } from '../../../ir/tensor.js';
import { defineKernel } from '../kernel.js';
import { broadcastStrides } from '../strides.js';
import { concreteShape, required } from './args.js';
import { expandTo, spanSize, tensorOf } from './nn-args.js';

/** out[o + i*n + j] += sum_k a[ao + i*k + kk] * b[bo + kk*n + j], row-major [m,k] @ [k,n]. */
export function matmulAccumulate(
  a: TensorData | Float64Array, ao: number, b: TensorData | Float64Array, bo: number,
  out: Float64Array, o: number, m: number, k: number, n: number,
): void {
  for (let i = 0; i < m; i++) {
    const row = o + i * n;
    for (let kk = 0; kk < k; kk++) {
      const av = a[ao + i * k + kk]!;
      const brow = bo + kk * n;
      for (let j = 0; j < n; j++) out[row + j]! += av * b[brow + j]!;
    }
  }
}

defineKernel(MatMul, (inputs, _attrs, node) => {
  const a = required(inputs, 0, node);
  const b = required(inputs, 1, node);
  if (a.dtype !== b.dtype) throw opError(node, `B is ${b.dtype}, A is ${a.dtype}`);
  const shape = concreteShape(node, matmulDims(node, a.shape, b.shape));
  const a2 = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
  const b2 = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
  const [m, k, n] = [a2[a2.length - 2]!, a2[a2.length - 1]!, b2[b2.length - 1]!];
  const batch = shape.slice(0, shape.length - (a.shape.length === 1 ? 0 : 1) - (b.shape.length === 1 ? 0 : 1));
  const rank = batch.length;
  // Batch strides in whole matrices; 0 where an operand broadcasts.
  const aStrides = broadcastStrides(a2.slice(0, -2), rank);
  const bStrides = broadcastStrides(b2.slice(0, -2), rank);
  const out = new Float64Array(spanSize(batch, 0) * m * n);
  const coord = new Array<number>(rank).fill(0);
  const batches = spanSize(batch, 0);
  for (let t = 0; t < batches; t++) {
    let ai = 0;
    let bi = 0;
    for (let d = 0; d < rank; d++) { ai += coord[d]! * aStrides[d]!; bi += coord[d]! * bStrides[d]!; }
    matmulAccumulate(a.data, ai * m * k, b.data, bi * k * n, out, t * m * n, m, k, n);
    for (let d = rank - 1; d >= 0; d--) {
      if (++coord[d]! < batch[d]!) break;
      coord[d] = 0;
    }
  }
  return [tensorOf(a.dtype, shape, out)];
});

/** A row-major [rows, cols] float64 copy of a 2-D tensor, transposed when asked. */
function oriented(data: TensorData, rows: number, cols: number, transpose: boolean): TensorData | Float64Array {
  if (!transpose) return data;
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = data[c * rows + r]!;
  return out;
}

defineKernel(Gemm, (inputs, attrs, node) => {
  const a = required(inputs, 0, node);
  const b = required(inputs, 1, node);
  if (a.shape.length !== 2 || b.shape.length !== 2) throw opError(node, `A and B must be 2-D, found [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  const [m, n] = concreteShape(node, gemmDims(node, a.shape, b.shape, attrs.transA !== 0, attrs.transB !== 0)) as [number, number];
  const k = attrs.transA !== 0 ? a.shape[0]! : a.shape[1]!;
  const out = new Float64Array(m * n);
  matmulAccumulate(oriented(a.data, m, k, attrs.transA !== 0), 0, oriented(b.data, k, n, attrs.transB !== 0), 0, out, 0, m, k, n);
  for (let i = 0; i < out.length; i++) out[i]! *= attrs.alpha;
  const c = inputs[2];
  if (c !== undefined && attrs.beta !== 0) {
    const bias = expandTo(node, c, [m, n], 'C');
    for (let i = 0; i < out.length; i++) out[i]! += attrs.beta * bias[i]!;
  }
  return [tensorOf(a.dtype, [m, n], out)];
});
