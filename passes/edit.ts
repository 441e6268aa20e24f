// Small, linear-time graph edits shared by the passes: renaming values, swapping node lists.
import type { Graph, Initializer, Node } from '../ir/graph.js';
import type { TensorType } from '../ir/types.js';

/** Value renames collected during a pass and applied once at the end. */
export class Renames {
  private readonly to = new Map<string, string>();

  /** Every use of `from` becomes a use of `to`. */
  add(from: string, to: string): void {
    if (from !== to) this.to.set(from, to);
  }

  get size(): number {
    return this.to.size;
  }

  resolve(name: string): string {
    let cur = name;
    for (let guard = 0; guard <= this.to.size; guard++) {
      const next = this.to.get(cur);
      if (next === undefined) return cur;
      cur = next;
    }
    throw new Error(`rename cycle through '${name}'`);
  }

  /** The graph with every rename applied to node inputs, node outputs and graph outputs. */
  apply(graph: Graph, nodes: readonly Node[] = graph.nodes): Graph {
    if (this.to.size === 0) return nodes === graph.nodes ? graph : { ...graph, nodes };
    const rename = (names: readonly string[]) => {
      let changed = false;
      const out = names.map((n) => {
        const r = n === '' ? n : this.resolve(n);
        if (r !== n) changed = true;
        return r;
      });
      return changed ? out : names;
    };
    const renamed = nodes.map((node) => {
      const inputs = rename(node.inputs);
      const outputs = rename(node.outputs);
      return inputs === node.inputs && outputs === node.outputs ? node : { ...node, inputs, outputs };
    });
    const valueInfo = new Map<string, TensorType>();
    for (const [name, t] of graph.valueInfo) {
      const r = this.resolve(name);
      if (!valueInfo.has(r)) valueInfo.set(r, t);
    }
    const outputs = graph.outputs.map((o) => ({ ...o, name: this.resolve(o.name) }));
    return { ...graph, nodes: renamed, outputs, valueInfo };
  }
}

/** Names of graph outputs, which a pass must keep producing under the same name. */
export function outputNames(graph: Graph): Set<string> {
  return new Set(graph.outputs.map((o) => o.name));
}

/** The producer of each value. */
export function producers(nodes: readonly Node[]): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const n of nodes) for (const o of n.outputs) if (o !== '') out.set(o, n);
  return out;
}

/** How many times each value is read, by nodes and as a graph output. */
export function useCounts(graph: Graph, nodes: readonly Node[] = graph.nodes): Map<string, number> {
  const uses = new Map<string, number>();
  const bump = (n: string) => uses.set(n, (uses.get(n) ?? 0) + 1);
  for (const n of nodes) for (const i of n.inputs) if (i !== '') bump(i);
  for (const o of graph.outputs) bump(o.name);
  return uses;
}

/** The graph with extra initializers (folded constants). */
export function withInitializers(graph: Graph, added: readonly Initializer[]): Graph {
  if (added.length === 0) return graph;
  const initializers = new Map(graph.initializers);
  for (const init of added) initializers.set(init.name, init);
  return { ...graph, initializers };
}

/** Fresh value names that cannot collide with any existing one. */
export class NameSource {
  private readonly taken: Set<string>;

  constructor(graph: Graph) {
    this.taken = new Set<string>([...graph.initializers.keys(), ...graph.inputs.map((v) => v.name)]);
    for (const n of graph.nodes) {
      this.taken.add(n.name);
      for (const o of n.outputs) this.taken.add(o);
    }
  }

  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.taken.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name);
    return name;
  }
}

/** Every known value type: graph inputs, initializers, intermediates. */
export function valueTypes(graph: Graph): Map<string, TensorType> {
  const types = new Map<string, TensorType>(graph.valueInfo);
  for (const v of graph.inputs) types.set(v.name, v.type);
  for (const v of graph.outputs) if (!types.has(v.name)) types.set(v.name, v.type);
  for (const [name, init] of graph.initializers) types.set(name, { dtype: init.dtype, shape: init.shape });
  return types;
}
