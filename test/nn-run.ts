// Test helpers for the nn kernels: run one op on tensors (checking that its spec infers the
// shapes the kernel makes), seeded random tensors that are never all zero, and closeness.
import type { AttrValue } from '../ir/attrs.js';
import type { DType } from '../ir/dtype.js';
import { type Tensor, makeTensor, numel } from '../ir/tensor.js';
import { uniformStream } from './float64-onnx.js';
import { runKernel } from './run-op.js';
import '../ir/ops/index.js';
import '../backends/reference/kernels/index.js';

/** Runs an ONNX-domain op's reference kernel; `outputs` is how many outputs the node declares. */
export function runNn(op: string, inputs: readonly (Tensor | undefined)[], attrs: Record<string, AttrValue> = {}, outputs = 1): Tensor[] {
  return runKernel('', op, inputs, attrs, outputs);
}

/** A deterministic generator of values in [-2, -0.05] U [0.05, 2]: random, and never zero. */
export function valuesFrom(seed: number): () => number {
  const next = uniformStream(seed >>> 0 || 1);
  return () => {
    const u = next();
    const magnitude = 0.05 + 1.95 * ((u * 2) % 1);
    return u < 0.5 ? -magnitude : magnitude;
  };
}

/** A tensor of random nonzero values. */
export function randomTensor(shape: readonly number[], next: () => number, dtype: DType = 'float64'): Tensor {
  return makeTensor(dtype, shape, Array.from({ length: numel(shape) }, next));
}

/** Relative-plus-absolute closeness, with a message naming the first bad element. */
export function closeness(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): string | undefined {
  if (got.length !== want.length) return `length ${got.length} vs ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const [g, w] = [got[i]!, want[i]!];
    if (Number.isNaN(g) !== Number.isNaN(w) || Math.abs(g - w) > tol * (1 + Math.abs(w))) return `element ${i}: got ${g}, want ${w}`;
  }
  return undefined;
}
