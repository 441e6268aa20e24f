// Runs one op's reference kernel on tensors, after checking that its spec's type inference
// agrees with the shapes the kernel produces: the harness the fused-kernel and nn-kernel
// tests share (test/nn-run.ts for the ONNX domain).
import type { AttrValue } from '../ir/attrs.js';
import { type Node, SOLDER_DOMAIN } from '../ir/graph.js';
import { findOp, readAttrs } from '../ir/ops/spec.js';
import type { Tensor } from '../ir/tensor.js';
import { shapeEq } from '../ir/types.js';
import { findKernel } from '../backends/reference/kernel.js';
import '../ir/ops/fused.js';
import '../backends/reference/kernels/fused.js';

/** Runs a solder op (by default) on tensors; its node declares two outputs, whatever the op makes. */
export function runOp(op: string, inputs: readonly (Tensor | undefined)[], attrs: Record<string, AttrValue>, domain = SOLDER_DOMAIN): Tensor[] {
  return runKernel(domain, op, inputs, attrs, 2);
}

/** Runs `domain::op`'s reference kernel, its node declaring `outputs` outputs; throws when inference disagrees. */
export function runKernel(domain: string, op: string, inputs: readonly (Tensor | undefined)[], attrs: Record<string, AttrValue>, outputs: number): Tensor[] {
  const node: Node = {
    name: `test/${op}`, op, domain, attrs,
    inputs: inputs.map((t, i) => (t === undefined ? '' : `in${i}`)),
    outputs: Array.from({ length: outputs }, (_, i) => `out${i}`),
  };
  const spec = findOp(domain, op);
  const kernel = findKernel(domain, op);
  if (spec === undefined || kernel === undefined) throw new Error(`no spec or kernel for ${domain}::${op}`);
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
