// Whole-graph algorithms over node dependencies: topological order, cycles, reachability,
// liveness, producers and consumers. The graph algorithms are graphology's (graphology-dag,
// graphology-traversal), run on a directed graph whose keys are node indices.
//
// Why graphology and not graphlib: measured on Node 20 (this repo's 2-core box), every
// @dagrejs/graphlib 4.0.6 traversal (topsort, isAcyclic, findCycles, preorder, postorder)
// recurses once per node on a path and throws "Maximum call stack size exceeded" on an
// 8,000-node chain; transformer graphs are long chains. graphology's are iterative: a
// 20,000-node chain builds in ~70 ms and sorts in ~15 ms.
//
// Most callers hold a graph that is already in order (importers, passes that keep order),
// so topoSort first checks the order in one linear scan and builds nothing when it holds.
import type { AbstractGraph as GraphologyGraph } from 'graphology-types';
import { graphology } from './cjs.js';
import { SolderError } from './errors.js';
import type { Graph, Node } from './graph.js';
/**
 * Every value a node reads: its inputs, and the outer values its subgraph attributes
 * (If/Loop bodies) capture, which order it after their producers just like inputs.
 */
export function nodeReads(node: Node): readonly string[] {
  let captured: string[] | undefined;
  for (const key in node.attrs) {
    const a = node.attrs[key];
    if (a?.kind === 'graph') (captured ??= []).push(...capturedValues(a.value));
  }
  if (captured === undefined && !node.inputs.includes('')) return node.inputs;
  return [...node.inputs.filter((name) => name !== ''), ...(captured ?? [])];
}

/** Names a subgraph reads from its enclosing scope. */
export function capturedValues(sub: Graph): string[] {
  const defined = new Set<string>([...sub.inputs.map((v) => v.name), ...sub.initializers.keys()]);
  const captured = new Set<string>();
  for (const node of sub.nodes) {
    for (const name of nodeReads(node)) if (!defined.has(name)) captured.add(name);
    for (const name of node.outputs) if (name !== '') defined.add(name);
  }
  for (const o of sub.outputs) if (!defined.has(o.name)) captured.add(o.name);
  return [...captured];
}

/** A dependency graph keyed by node index: an edge runs producer -> consumer. */
function indexGraph(graph: Graph): GraphologyGraph {
  const { DirectedGraph } = graphology().graph;
  const g = new DirectedGraph();
  graph.nodes.forEach((_, i) => g.addNode(String(i)));
  const producer = producerIndex(graph);
  graph.nodes.forEach((node, i) => {
    for (const name of nodeReads(node)) {
      const p = producer.get(name);
      if (p !== undefined) g.mergeEdge(String(p), String(i));
    }
  });
  return g;
}

/** The index of the node producing each value (the first one, if a broken graph has several). */
export function producerIndex(graph: Graph): Map<string, number> {
  const producer = new Map<string, number>();
  graph.nodes.forEach((node, i) => {
    for (const name of node.outputs) if (name !== '' && !producer.has(name)) producer.set(name, i);
  });
  return producer;
}

/** Whether every node comes after the producers of everything it reads. */
function isOrdered(graph: Graph): boolean {
  const producer = producerIndex(graph);
  return graph.nodes.every((node, i) => nodeReads(node).every((name) => (producer.get(name) ?? -1) < i));
}

/**
 * The same graph with its nodes in topological order: unchanged when its order is already
 * valid, otherwise graphology's (Kahn's) order, which starts from the nodes that read only
 * graph inputs and keeps the given order among nodes that become ready together.
 */
export function topoSort(graph: Graph): Graph {
  if (isOrdered(graph)) return graph;
  const g = indexGraph(graph);
  const order = kahnOrder(graph, g);
  if (order.length < graph.nodes.length) throw cycleError(cycleAmong(graph, g, order));
  return { ...graph, nodes: order };
}

/** The nodes of one dependency cycle, each reading an output of the one before it, or undefined. */
export function findCycle(graph: Graph): Node[] | undefined {
  const g = indexGraph(graph);
  const order = kahnOrder(graph, g);
  return order.length < graph.nodes.length ? cycleAmong(graph, g, order) : undefined;
}

/** Kahn's order; on a cyclic graph, the nodes it reached before the walk stopped. */
function kahnOrder(graph: Graph, g: GraphologyGraph): Node[] {
  const order: Node[] = [];
  try {
    graphology().dag.forEachNodeInTopologicalOrder(g, (key) => void order.push(graph.nodes[Number(key)] as Node));
  } catch (e) {
    // graphology throws after the walk, when it stopped short of the nodes on or behind a cycle.
    if (order.length === graph.nodes.length) throw e;
  }
  return order;
}

/**
 * Kahn's order stops short of every node on or behind a cycle; each of those has a
 * producer among them, so walking producers from one must come back to a node seen.
 */
function cycleAmong(graph: Graph, g: GraphologyGraph, ordered: readonly Node[]): Node[] {
  const done = new Set(ordered);
  const stuck = (key: string) => !done.has(graph.nodes[Number(key)] as Node);
  const path: string[] = [];
  const seenAt = new Map<string, number>();
  let key = g.findNode(stuck) as string;
  while (!seenAt.has(key)) {
    seenAt.set(key, path.length);
    path.push(key);
    key = g.findInNeighbor(key, stuck) as string;
  }
  // The walk went from consumer to producer; reversed, each node reads the one before it.
  return path.slice(seenAt.get(key)).reverse().map((k) => graph.nodes[Number(k)] as Node);
}

function cycleError(cycle: readonly Node[]): SolderError {
  const first = cycle[0] as Node;
  const path = [...cycle, first].map((n) => `'${n.name}'`).join(' -> ');
  return new SolderError(`the graph has a cycle: ${path}; a rewrite wired an output back into its own inputs`, {
    node: first.name,
    op: first.op,
  });
}

/** The node producing each value (the first one, if a broken graph has several). */
export function producerOf(graph: Graph): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const node of graph.nodes) {
    for (const name of node.outputs) if (name !== '' && !out.has(name)) out.set(name, node);
  }
  return out;
}

/** The nodes reading each value, in graph order, each node once even if it reads the value twice. */
export function consumersOf(graph: Graph): Map<string, Node[]> {
  const out = new Map<string, Node[]>();
  for (const node of graph.nodes) {
    for (const name of nodeReads(node)) {
      const list = out.get(name);
      if (list === undefined) out.set(name, [node]);
      else if (list[list.length - 1] !== node) list.push(node);
    }
  }
  return out;
}

/** Nodes that depend, directly or not, on any of the given values; in graph order. */
export function reachableFrom(graph: Graph, valueNames: Iterable<string>): Node[] {
  const wanted = new Set(valueNames);
  const starts: number[] = [];
  graph.nodes.forEach((node, i) => {
    if (nodeReads(node).some((name) => wanted.has(name))) starts.push(i);
  });
  const reached = visitFrom(indexGraph(graph), starts, 'outbound');
  return graph.nodes.filter((_, i) => reached[i] === 1);
}

/** Nodes whose outputs some graph output depends on; everything else is dead code. In graph order. */
export function liveNodes(graph: Graph): Node[] {
  const producer = producerIndex(graph);
  const starts = graph.outputs.flatMap((o) => producer.get(o.name) ?? []);
  const live = visitFrom(indexGraph(graph), starts, 'inbound');
  return graph.nodes.filter((_, i) => live[i] === 1);
}

/** Marks the start nodes and every node a breadth-first walk along `mode` edges reaches from them. */
function visitFrom(g: GraphologyGraph, starts: readonly number[], mode: 'inbound' | 'outbound'): Uint8Array {
  const seen = new Uint8Array(g.order);
  for (const start of starts) {
    if (seen[start] === 1) continue;
    graphology().traversal.bfsFromNode(
      g,
      String(start),
      (key) => {
        const i = Number(key);
        // Returning true stops the walk below a node an earlier start already covered.
        if (seen[i] === 1 && i !== start) return true;
        seen[i] = 1;
        return false;
      },
      { mode },
    );
  }
  return seen;
}

/**
 * A graphology graph of the node dependencies for exploration and layout: keys are node
 * names, each node's attributes hold the Node, an edge runs producer -> consumer and its
 * attributes list the value names it carries.
 */
export function dependencyGraph(graph: Graph): GraphologyGraph<{ node: Node }, { values: string[] }> {
  const { DirectedGraph } = graphology().graph;
  const g = new DirectedGraph<{ node: Node }, { values: string[] }>();
  for (const node of graph.nodes) {
    if (g.hasNode(node.name)) throw new SolderError('node name used twice; names must be unique', { node: node.name, op: node.op });
    g.addNode(node.name, { node });
  }
  const producers = producerOf(graph);
  for (const node of graph.nodes) {
    for (const name of nodeReads(node)) {
      const from = producers.get(name);
      if (from === undefined) continue;
      const edge = g.edge(from.name, node.name);
      if (edge === undefined) g.addEdge(from.name, node.name, { values: [name] });
      else if (!g.getEdgeAttribute(edge, 'values').includes(name)) g.getEdgeAttribute(edge, 'values').push(name);
    }
  }
  return g;
}
