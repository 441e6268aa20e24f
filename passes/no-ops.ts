// Removes nodes that compute nothing at inference time: Identity, Dropout, a Cast to the
// type a value already has, a Reshape/Expand to the shape it already has, Transpose by
// the identity permutation.
import type { Graph, Node } from '../ir/graph.js';
import { shapeEq, type TensorType } from '../ir/types.js';
import { Renames, outputNames, valueTypes } from './edit.js';

export function removeNoOps(graph: Graph): Graph {
  const types = valueTypes(graph);
  const outputs = outputNames(graph);
  const sources = new Set([...graph.inputs.map((v) => v.name), ...graph.initializers.keys()]);
  const renames = new Renames();
  const kept: Node[] = [];
  for (const node of graph.nodes) {
    const from = node.outputs[0];
    const to = node.inputs[0];
    if (from === undefined || to === undefined || !isNoOp(node, types)) {
      kept.push(node);
      continue;
    }
    const input = renames.resolve(to);
    if (!outputs.has(from)) {
      renames.add(from, input);
    } else if (!outputs.has(input) && !sources.has(input)) {
      // The no-op feeds a graph output: its producer takes over the output's name.
      renames.add(input, from);
    } else {
      kept.push(node);
    }
  }
  if (kept.length === graph.nodes.length) return graph;
  return renames.apply(graph, kept);
}

function isNoOp(node: Node, types: ReadonlyMap<string, TensorType>): boolean {
  if (node.domain !== '') return false;
  const x = types.get(node.inputs[0] ?? '');
  const y = types.get(node.outputs[0] ?? '');
  const onlyFirstOutputUsed = node.outputs.slice(1).every((o) => o === '');
  switch (node.op) {
    case 'Identity':
      return true;
    case 'Dropout':
      // Without training_mode (input 2) Dropout is the identity at inference.
      return (node.inputs[2] ?? '') === '' && onlyFirstOutputUsed;
    case 'Cast':
    case 'CastLike':
      return x !== undefined && y !== undefined && x.dtype === y.dtype;
    case 'Reshape':
    case 'Expand':
      return x?.shape !== undefined && y?.shape !== undefined && shapeEq(x.shape, y.shape);
    case 'Transpose': {
      const perm = node.attrs.perm;
      return perm?.kind === 'ints' && perm.value.every((p, i) => p === i);
    }
    default:
      return false;
  }
}

