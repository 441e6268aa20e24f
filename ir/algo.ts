// Whole-graph algorithms over node dependencies: topological order, cycles, liveness,
// producers and consumers.
//
// Why the traversals are not graphlib's: measured on Node 20 (this repo's 2-core box),
// building a graphlib Graph of a 20,000-node chain takes 200-900 ms (every node and edge
// is a new key on plain objects), and every graphlib traversal (topsort, isAcyclic,
// findCycles/tarjan, preorder, postorder) recurses once per node on a path, so each
// throws "Maximum call stack size exceeded" on a 20,000-node chain. Transformer graphs
// are long chains, so the algorithms here run on a compact array index in linear time
// with explicit stacks (20,000 nodes: a few ms). `dependencyGraph` still hands out a
// graphlib Graph for consumers that want one (the debugger's dagre layout), on graphs
// small enough for it (graphlib itself is loaded only then).
import type { Graph as GraphlibGraph } from '@dagrejs/graphlib';
import { graphlib } from './cjs.js';
import { SolderError } from './errors.js';
import type { Graph, Node } from './graph.js';

/** Which node produces each value, and each node's producers (deduplicated) as flat arrays. */
interface DependencyIndex {
  readonly producer: ReadonlyMap<string, number>;
  /** The producers of node i are predList[predStart[i] .. predStart[i + 1]). */
  readonly predStart: Int32Array;
  readonly predList: Int32Array;
}

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

// Flat typed arrays rather than an array per node: 20,000-node graphs are indexed often
// (every pass), and per-node arrays made garbage collection the main cost.
function indexDependencies(graph: Graph): DependencyIndex {
  const producer = new Map<string, number>();
  let reads = 0;
  graph.nodes.forEach((node, i) => {
    for (const name of node.outputs) if (name !== '' && !producer.has(name)) producer.set(name, i);
    reads += node.inputs.length;
  });
  const predStart = new Int32Array(graph.nodes.length + 1);
  let predList: Int32Array = new Int32Array(reads);
  let end = 0;
  graph.nodes.forEach((node, i) => {
    const start = end;
    for (const name of nodeReads(node)) {
      const p = producer.get(name);
      if (p === undefined || holds(predList, start, end, p)) continue;
      if (end === predList.length) predList = grow(predList);
      predList[end++] = p;
    }
    predStart[i + 1] = end;
  });
  return { producer, predStart, predList };
}

function holds(list: Int32Array, start: number, end: number, value: number): boolean {
  for (let k = start; k < end; k++) if (list[k] === value) return true;
  return false;
}

function grow(a: Int32Array): Int32Array {
  const bigger = new Int32Array(Math.max(16, a.length * 2));
  bigger.set(a);
  return bigger;
}

/**
 * Depth-first over producers, visiting nodes in graph order, so an order that is
 * already topological comes out unchanged and a node placed too early is moved to just
 * after the last thing it needs. Returns the order, or the nodes of the first cycle met.
 */
function orderOrCycle(index: DependencyIndex, count: number): { order: number[] } | { cycle: number[] } {
  const NEW = 0;
  const OPEN = 1;
  const DONE = 2;
  const state = new Uint8Array(count);
  const order: number[] = [];
  const stack: number[] = [];
  const nextPred: number[] = [];
  for (let root = 0; root < count; root++) {
    if (state[root] !== NEW) continue;
    stack.push(root);
    nextPred.push(index.predStart[root] as number);
    state[root] = OPEN;
    while (stack.length > 0) {
      const top = stack.length - 1;
      const node = stack[top] as number;
      const k = nextPred[top] as number;
      if (k < (index.predStart[node + 1] as number)) {
        nextPred[top] = k + 1;
        const p = index.predList[k] as number;
        if (state[p] === NEW) {
          state[p] = OPEN;
          stack.push(p);
          nextPred.push(index.predStart[p] as number);
        } else if (state[p] === OPEN) {
          // The stack from p up to node is a path p <- ... <- node, and node reads p.
          return { cycle: stack.slice(stack.indexOf(p)).reverse() };
        }
      } else {
        stack.pop();
        nextPred.pop();
        state[node] = DONE;
        order.push(node);
      }
    }
  }
  return { order };
}

/** The same graph with its nodes in topological order, keeping the given order where it is valid. */
export function topoSort(graph: Graph): Graph {
  const result = orderOrCycle(indexDependencies(graph), graph.nodes.length);
  if ('cycle' in result) throw cycleError(result.cycle.map((i) => graph.nodes[i] as Node));
  if (result.order.every((n, i) => n === i)) return graph;
  return { ...graph, nodes: result.order.map((i) => graph.nodes[i] as Node) };
}

/** The nodes of one dependency cycle, each reading an output of the one before it, or undefined. */
export function findCycle(graph: Graph): Node[] | undefined {
  const result = orderOrCycle(indexDependencies(graph), graph.nodes.length);
  return 'cycle' in result ? result.cycle.map((i) => graph.nodes[i] as Node) : undefined;
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
  const readers = new Map<string, number[]>();
  graph.nodes.forEach((node, i) => {
    for (const name of nodeReads(node)) {
      const list = readers.get(name);
      if (list === undefined) readers.set(name, [i]);
      else if (list[list.length - 1] !== i) list.push(i);
    }
  });
  const reached = new Uint8Array(graph.nodes.length);
  const pending = [...valueNames];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    for (const i of readers.get(name) ?? []) {
      if (reached[i]) continue;
      reached[i] = 1;
      for (const out of (graph.nodes[i] as Node).outputs) if (out !== '') pending.push(out);
    }
  }
  return graph.nodes.filter((_, i) => reached[i] === 1);
}

/** Nodes whose outputs some graph output depends on; everything else is dead code. In graph order. */
export function liveNodes(graph: Graph): Node[] {
  const index = indexDependencies(graph);
  const live = new Uint8Array(graph.nodes.length);
  const pending: number[] = [];
  const mark = (i: number | undefined) => {
    if (i !== undefined && !live[i]) {
      live[i] = 1;
      pending.push(i);
    }
  };
  for (const o of graph.outputs) mark(index.producer.get(o.name));
  for (let i = pending.pop(); i !== undefined; i = pending.pop()) {
    for (let k = index.predStart[i] as number; k < (index.predStart[i + 1] as number); k++) mark(index.predList[k]);
  }
  return graph.nodes.filter((_, i) => live[i] === 1);
}

/**
 * A graphlib Graph of the node dependencies: node ids are node names (labelled with the
 * Node), an edge runs producer -> consumer labelled with the value names it carries.
 * For layout and exploration of model-sized graphs; see the note at the top on size.
 */
export function dependencyGraph(graph: Graph): GraphlibGraph<unknown, Node, string[]> {
  const g: GraphlibGraph<unknown, Node, string[]> = new (graphlib().Graph)({ directed: true });
  for (const node of graph.nodes) {
    if (g.hasNode(node.name)) throw new SolderError('node name used twice; names must be unique', { node: node.name, op: node.op });
    g.setNode(node.name, node);
  }
  const producers = producerOf(graph);
  for (const node of graph.nodes) {
    for (const name of nodeReads(node)) {
      const from = producers.get(name);
      if (from === undefined) continue;
      if (!g.hasEdge(from.name, node.name)) g.setEdge(from.name, node.name, [name]);
      else if (!g.edge(from.name, node.name).includes(name)) g.edge(from.name, node.name).push(name);
    }
  }
  return g;
}
