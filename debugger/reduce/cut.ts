// Cutting a subgraph out of a graph: the nodes that compute some chosen values, stopping at
// "cut" values, which become graph inputs (with their inferred types), so that the piece is
// a valid model on its own. Initializers stay initializers.
import { nodeReads } from '../../ir/algo.js';
import { SolderError } from '../../ir/errors.js';
import { type Graph, type Initializer, type Node, type ValueInfo, typeOf } from '../../ir/graph.js';
import type { TensorType } from '../../ir/types.js';

/** A piece of a graph: compute `outputs`, reading the values in `cuts` as inputs. */
export interface Piece {
  readonly outputs: readonly string[];
  readonly cuts: ReadonlySet<string>;
}

/** The piece as a graph: the nodes `outputs` need (in graph order), stopping at cuts, model inputs and initializers. */
export function cutPiece(graph: Graph, piece: Piece): Graph {
  const producer = new Map<string, number>();
  graph.nodes.forEach((n, i) => n.outputs.forEach((v) => v !== '' && producer.set(v, i)));
  const needed = new Set<number>();
  const stack = piece.outputs.filter((v) => !piece.cuts.has(v));
  const seen = new Set<string>(stack);
  while (stack.length > 0) {
    const i = producer.get(stack.pop()!);
    if (i === undefined || needed.has(i)) continue;
    needed.add(i);
    for (const v of nodeReads(graph.nodes[i]!)) {
      if (v === '' || seen.has(v) || piece.cuts.has(v)) continue;
      seen.add(v);
      stack.push(v);
    }
  }
  const nodes = graph.nodes.filter((_, i) => needed.has(i));
  return assemble(graph, nodes, piece.outputs);
}

/** The graph of `nodes` (in topological order) with the given outputs; every value read and not produced becomes an input. */
function assemble(graph: Graph, nodes: readonly Node[], outputs: readonly string[]): Graph {
  const produced = new Set(nodes.flatMap((n) => n.outputs.filter((v) => v !== '')));
  const read: string[] = [];
  const readSet = new Set<string>();
  for (const v of [...nodes.flatMap((n) => nodeReads(n)), ...outputs]) {
    if (v !== '' && !readSet.has(v)) {
      readSet.add(v);
      read.push(v);
    }
  }
  const initializers = new Map<string, Initializer>();
  const fromOutside: string[] = [];
  for (const v of read) {
    const init = graph.initializers.get(v);
    if (init !== undefined) initializers.set(v, init);
    else if (!produced.has(v)) fromOutside.push(v);
  }
  // Model inputs first, in the model's order, then the cut values in the order they are first read.
  const modelInputs = graph.inputs.filter((i) => fromOutside.includes(i.name));
  const cutInputs = fromOutside.filter((v) => !graph.inputs.some((i) => i.name === v)).map((v) => valueInfo(graph, v));
  const valueTypes = new Map<string, TensorType>();
  for (const v of produced) {
    const t = graph.valueInfo.get(v);
    if (t !== undefined) valueTypes.set(v, t);
  }
  return {
    ...graph,
    inputs: [...modelInputs, ...cutInputs],
    outputs: outputs.map((v) => graph.outputs.find((o) => o.name === v) ?? valueInfo(graph, v)),
    nodes,
    initializers,
    valueInfo: valueTypes,
  };
}

function valueInfo(graph: Graph, name: string): ValueInfo {
  const type = typeOf(graph, name);
  if (type === undefined) throw new SolderError(`value '${name}' has no inferred type, so it cannot become a graph input or output of a piece`);
  return { name, type };
}

/** Values produced by nodes[0..last] that later nodes read or that are model outputs: what the prefix hands on. */
export function prefixFrontier(graph: Graph, last: number): string[] {
  const producedHere = new Set(graph.nodes.slice(0, last + 1).flatMap((n) => n.outputs.filter((v) => v !== '')));
  const frontier = new Set<string>();
  for (const n of graph.nodes.slice(last + 1)) for (const v of nodeReads(n)) if (producedHere.has(v)) frontier.add(v);
  for (const o of graph.outputs) if (producedHere.has(o.name)) frontier.add(o.name);
  return [...frontier];
}

/** Inputs of `node` that some node of `graph` computes (the ones a cut can turn into graph inputs). */
export function computedInputs(graph: Graph, node: Node): string[] {
  const produced = new Set(graph.nodes.flatMap((n) => n.outputs));
  return [...new Set(nodeReads(node).filter((v) => v !== '' && produced.has(v)))];
}
