// Kernels of the elementwise and reduction families validate their inputs through the op
// spec: the interpreter does not run type inference, so a dtype, shape or attribute the
// spec rejects must still fail at run time with the same one-line error naming the node.
import type { AttrSpecs, AttrValues } from '../../../ir/attrs.js';
import type { Node } from '../../../ir/graph.js';
import type { OpSpec } from '../../../ir/ops/spec.js';
import type { Tensor } from '../../../ir/tensor.js';
import { type Inputs, defineKernel } from '../kernel.js';

/** defineKernel, with the spec's inference run on the concrete inputs first. */
export function defineCheckedKernel<S extends AttrSpecs>(
  spec: OpSpec<S>,
  compute: (inputs: Inputs, attrs: AttrValues<S>, node: Node) => Tensor[],
): void {
  defineKernel(spec, (inputs, attrs, node) => {
    spec.infer({
      node,
      inputs: inputs.map((t) => (t === undefined ? undefined : { dtype: t.dtype, shape: t.shape })),
      attrs,
      constant: (i) => inputs[i],
    });
    return compute(inputs, attrs, node);
  });
}
