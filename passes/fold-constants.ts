// Constant folding: a node whose inputs are all constants becomes initializers, computed
// by the reference interpreter. Constant nodes become initializers too.
import { type Graph, type Initializer, type Node, initializerFromTensor } from '../ir/graph.js';
import { type Tensor, numel, tensorFromBytes } from '../ir/tensor.js';
import { runNode } from '../backends/reference/interpreter.js';
import { withInitializers } from './edit.js';

// Folding must not blow weights up (an Expand to a huge shape, a big Range): keep large results lazy.
const MAX_FOLDED_ELEMENTS = 1 << 22;

export function foldConstants(graph: Graph): Graph {
  const constants = new Map<string, Tensor>();
  const readable = (name: string): boolean => {
    if (constants.has(name)) return true;
    const init = graph.initializers.get(name);
    return init !== undefined && numel(init.shape) <= MAX_FOLDED_ELEMENTS;
  };
  const read = (name: string): Tensor | undefined => {
    const known = constants.get(name);
    if (known !== undefined) return known;
    const init = graph.initializers.get(name);
    if (init === undefined || !readable(name)) return undefined;
    const t = tensorFromBytes(init.dtype, init.shape, init.bytes.read());
    constants.set(name, t);
    return t;
  };
  const added: Initializer[] = [];
  const kept: Node[] = [];
  for (const node of graph.nodes) {
    // Weights are decoded only for nodes whose inputs are all constant (Gather(embedding, ids) is not).
    const foldable = node.domain === '' && node.inputs.every((name) => name === '' || readable(name));
    const outputs = foldable ? tryFold(graph, node, read) : undefined;
    if (outputs === undefined) {
      kept.push(node);
      continue;
    }
    node.outputs.forEach((name, i) => {
      const t = outputs[i];
      if (name === '' || t === undefined) return;
      constants.set(name, t);
      added.push(initializerFromTensor(name, t));
    });
  }
  if (kept.length === graph.nodes.length) return graph;
  return withInitializers({ ...graph, nodes: kept }, added);
}

function tryFold(graph: Graph, node: Node, read: (name: string) => Tensor | undefined): Tensor[] | undefined {
  const env = new Map<string, Tensor>();
  for (const name of node.inputs) {
    if (name === '') continue;
    const t = read(name);
    if (t === undefined) return undefined;
    env.set(name, t);
  }
  const outputs = runNode(graph, node, env);
  return outputs.every((t) => t.data.length <= MAX_FOLDED_ELEMENTS) ? outputs : undefined;
}
