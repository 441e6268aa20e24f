// Test helpers for the nn kernels: run one op on tensors (checking that its spec infers the
// shapes the kernel makes), seeded random tensors that are never all zero, and closeness.
import type { AttrValue } from '../ir/attrs.js';
import type { DType } from '../ir/dtype.js';
import type { Node } from '../ir/graph.js';
import { findOp, readAttrs } from '../ir/ops/spec.js';
import { type Tensor, makeTensor, numel } from '../ir/tensor.js';
import { shapeEq } from '../ir/types.js';
import { findKernel } from '../backends/reference/kernel.js';
import '../ir/ops/index.js';
import '../backends/reference/kernels/index.js';

/** Runs an ONNX-domain op's reference kernel; `outputs` is how many outputs the node declares. */
export function runNn(op: string, inputs: readonly (Tensor | undefined)[], attrs: Record<string, AttrValue> = {}, outputs = 1): Tensor[] {
  const node: Node = {
    name: `test/${op}`, op, domain: '', attrs,
    inputs: inputs.map((t, i) => (t === undefined ? '' : `in${i}`)),
    outputs: Array.from({ length: outputs }, (_, i) => `out${i}`),
  };
  const spec = findOp('', op);
  const kernel = findKernel('', op);
  if (spec === undefined || kernel === undefined) throw new Error(`no spec or kernel for ${op}`);
  const inferred = spec.infer({
    node,
    inputs: inputs.map((t) => (t === undefined ? undefined : { dtype: t.dtype, shape: t.shape })),
    attrs: readAttrs(spec, node),
    constant: (i) => inputs[i],
  });
  const result = kernel(inputs, node);
  result.forEach((t, i) => {
    const want = inferred[i];
    if (want === undefined || want.dtype !== t.dtype || !shapeEq(want.shape, t.shape)) {
      throw new Error(`${op}: inferred ${JSON.stringify(want)} but the kernel made ${t.dtype}[${t.shape.join(', ')}]`);
    }
  });
  return result;
}

/** A deterministic generator of values in [-2, -0.05] U [0.05, 2]: random, and never zero. */
export function valuesFrom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
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
