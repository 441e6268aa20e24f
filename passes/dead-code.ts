// Dead code elimination: drop nodes whose outputs reach no graph output, and unused initializers.
import type { Graph, Initializer, Node } from '../ir/graph.js';
import type { TensorType } from '../ir/types.js';

export function eliminateDeadCode(graph: Graph): Graph {
  const needed = new Set(graph.outputs.map((o) => o.name));
  const kept: Node[] = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i] as Node;
    if (!node.outputs.some((o) => needed.has(o))) continue;
    kept.push(node);
    for (const input of node.inputs) if (input !== '') needed.add(input);
  }
  kept.reverse();
  const initializers = new Map<string, Initializer>();
  for (const [name, init] of graph.initializers) if (needed.has(name)) initializers.set(name, init);
  if (kept.length === graph.nodes.length && initializers.size === graph.initializers.size) return graph;
  const valueInfo = new Map<string, TensorType>();
  for (const [name, t] of graph.valueInfo) if (needed.has(name)) valueInfo.set(name, t);
  return { ...graph, nodes: kept, initializers, valueInfo };
}
