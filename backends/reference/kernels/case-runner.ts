// Runs one conformance case (ir/ops/conformance) on the reference kernels, and infers its
// output types through the op spec, with or without its inputs' values known.
import type { Node } from '../../../ir/graph.js';
import { type CaseTensor, type OpCase, expectedOutputs } from '../../../ir/ops/conformance/case.js';
import { opOf, readAttrs } from '../../../ir/ops/spec.js';
import { type Tensor, makeTensor } from '../../../ir/tensor.js';
import type { TensorType } from '../../../ir/types.js';
import { runNode } from '../interpreter.js';
import '../../../ir/ops/index.js';

export function caseTensor(c: CaseTensor): Tensor {
  return makeTensor(c.dtype, c.shape, c.values);
}

/** The node a case describes; inputs are named in0, in1, ... ('' where absent). */
export function caseNode(c: OpCase): Node {
  const outputs = c.outputs ?? Math.max(1, expectedOutputs(c).length);
  return {
    name: c.name,
    op: c.op,
    domain: '',
    inputs: c.inputs.map((t, i) => (t === null ? '' : `in${i}`)),
    outputs: Array.from({ length: outputs }, (_, i) => `out${i}`),
    attrs: c.attrs ?? {},
  };
}

/** The case's node run by the reference interpreter on its inputs. */
export function runCase(c: OpCase): Tensor[] {
  const env = new Map<string, Tensor>();
  c.inputs.forEach((t, i) => {
    if (t !== null) env.set(`in${i}`, caseTensor(t));
  });
  const graph = { name: 'case', inputs: [], outputs: [], nodes: [], initializers: new Map(), valueInfo: new Map(), meta: { irVersion: 9, opsets: [], metadata: {}, source: 'built' as const } };
  return runNode(graph, caseNode(c), env);
}

/** The output types the op spec infers for the case's node; `constants` says whether input values are visible. */
export function inferCase(c: OpCase, constants: boolean, inputTypes?: readonly (TensorType | undefined)[]): TensorType[] {
  const node = caseNode(c);
  const spec = opOf(node);
  return spec.infer({
    node,
    inputs: inputTypes ?? c.inputs.map((t) => (t === null ? undefined : { dtype: t.dtype, shape: t.shape })),
    attrs: readAttrs(spec, node),
    constant: (i) => {
      const t = c.inputs[i];
      return constants && t !== null && t !== undefined ? caseTensor(t) : undefined;
    },
  });
}
