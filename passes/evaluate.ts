// Lets type inference fold small constant subgraphs (shape arithmetic) with the reference kernels.
import type { Graph, Node } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { runNode } from '../backends/reference/interpreter.js';
import { findKernel } from '../backends/reference/kernel.js';

const EMPTY_GRAPH: Graph = {
  name: 'constant-folding',
  inputs: [],
  outputs: [],
  nodes: [],
  initializers: new Map(),
  valueInfo: new Map(),
  meta: { irVersion: 8, opsets: [], metadata: {}, source: 'built' },
};

// Folding big tensors would copy weights around for no gain: shape subgraphs are tiny.
const MAX_FOLDED_ELEMENTS = 1 << 16;

/** Computes a node whose inputs are all constant, or undefined when it should stay in the graph. */
export function evaluateNode(node: Node, inputs: readonly Tensor[]): Tensor[] | undefined {
  if (findKernel(node.domain, node.op) === undefined) return undefined;
  if (inputs.some((t) => t.data.length > MAX_FOLDED_ELEMENTS)) return undefined;
  const env = new Map<string, Tensor>();
  node.inputs.forEach((name, i) => {
    const t = inputs[i];
    if (name !== '' && t !== undefined) env.set(name, t);
  });
  const outputs = runNode(EMPTY_GRAPH, node, env);
  return outputs.some((t) => t.data.length > MAX_FOLDED_ELEMENTS) ? undefined : outputs;
}
