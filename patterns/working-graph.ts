// The mutable index a rewrite run works on: who produces and who reads each value, built
// once in linear time and updated incrementally as rewrites remove and insert nodes, so
// that matching stays local however large the graph is.
import { topoSort } from '../ir/algo.js';
import { type Graph, type Initializer, type Node } from '../ir/graph.js';
import { Constant, constantValue } from '../ir/ops/shape-create.js';
import { findOp, readAttrs } from '../ir/ops/spec.js';
import { type Tensor, tensorFromBytes } from '../ir/tensor.js';
import type { TensorType } from '../ir/types.js';

/** What matching, checks and rewrites may ask of the graph. */
export interface GraphView {
  /** The node producing a value and which of its outputs it is; undefined for inputs and initializers. */
  producer(value: string): { readonly node: Node; readonly output: number } | undefined;
  /** The nodes reading a value, each once. */
  consumers(value: string): readonly Node[];
  isGraphOutput(value: string): boolean;
  /** The value of an initializer (that is not a graph input) or a Constant output. */
  constant(value: string): Tensor | undefined;
  /** Whether constant() would find a value, without decoding it (weights stay unread). */
  isConstant(value: string): boolean;
  typeOf(value: string): TensorType | undefined;
  /** A node's attributes as plain values, with its op spec's defaults filled in. */
  attrValues(node: Node): Readonly<Record<string, unknown>>;
  /**
   * The stored initializer behind a constant value, its bytes undecoded (byte-level edits of
   * weights); undefined for Constant outputs, graph inputs and other values.
   */
  storedConstant(value: string): Initializer | undefined;
  /**
   * compute(), or what it returned (or threw) for the same key before, while no value it read
   * through this view has changed since: an analysis many rule attempts repeat (the mask all
   * layers share) runs once. compute must depend only on what it reads through the view.
   */
  remember<T>(key: string, compute: () => T): T;
}

interface Remembered {
  readonly outcome: { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };
  readonly reads: ReadonlySet<string>;
  /** The values among reads whose consumers it asked for. */
  readonly consumerReads: ReadonlySet<string>;
  readonly at: number;
}

export class WorkingGraph implements GraphView {
  private readonly ids = new Map<Node, number>();
  private readonly byId: (Node | undefined)[] = [];
  private readonly producers = new Map<string, { node: Node; output: number }>();
  private readonly readers = new Map<string, Set<Node>>();
  private readonly outputs: ReadonlySet<string>;
  private readonly fed: ReadonlySet<string>;
  private readonly types: Map<string, TensorType>;
  private readonly initializers: Map<string, Initializer>;
  private readonly constants = new Map<string, Tensor | undefined>();
  private readonly attrCache = new WeakMap<Node, Readonly<Record<string, unknown>>>();
  /** Every node and value name ever used in this run, so new names never collide or get reused. */
  private readonly usedNodeNames = new Set<string>();
  private readonly usedValueNames = new Set<string>();
  /** Node ids in graph order as of the last compact(); new nodes wait in `inserted` under the id they replace. */
  private order: number[] = [];
  /**
   * Each node's place in the order as a number, kept without compacting: the order's index
   * for compacted nodes, and for nodes inserted before an anchor, numbers between the one
   * before it and the anchor's. Lets earliestAnchor compare places in constant time.
   */
  private readonly rank = new Map<number, number>();
  private readonly lastInsertedRank = new Map<number, number>();
  private readonly inserted = new Map<number, Node[]>();
  private needsSort = false;
  private readonly sourceIndex = new Map<string, number>();
  /** Values read through the view while recording (see recordReads), and those of them whose consumers were read. */
  private reads: Set<string> | undefined;
  private consumerReads: Set<string> | undefined;
  /** Values whose producer, readers, type or constant changed since takeChanges(). */
  private changes: string[] = [];
  /**
   * When each value's definition (producer, type, constant) and its set of readers last
   * changed (a count of changes), for remember(): a result that read only how the shared
   * mask is computed stays valid while each layer's rewrite swaps the mask's readers.
   */
  private readonly definedAt = new Map<string, number>();
  private readonly readersChangedAt = new Map<string, number>();
  private clock = 0;
  private readonly remembered = new Map<string, Remembered>();

  constructor(private readonly source: Graph) {
    this.outputs = new Set(source.outputs.map((o) => o.name));
    this.fed = new Set(source.inputs.map((v) => v.name));
    this.initializers = new Map(source.initializers);
    this.types = new Map(source.valueInfo);
    for (const v of [...source.inputs, ...source.outputs]) {
      if (!this.types.has(v.name)) this.types.set(v.name, v.type);
      this.usedValueNames.add(v.name);
    }
    for (const init of source.initializers.values()) this.usedValueNames.add(init.name);
    source.nodes.forEach((n, i) => {
      this.sourceIndex.set(n.name, i);
      const id = this.register(n);
      this.order.push(id);
      this.rank.set(id, i);
    });
  }

  /** Where a node name stood in the graph the run started from (names it never had sort last). */
  sourcePosition(name: string): number {
    return this.sourceIndex.get(name) ?? Number.MAX_SAFE_INTEGER;
  }

  producer(value: string) {
    this.reads?.add(value);
    return this.producers.get(value);
  }

  consumers(value: string): readonly Node[] {
    this.reads?.add(value);
    this.consumerReads?.add(value);
    const set = this.readers.get(value);
    return set === undefined ? [] : [...set];
  }

  isGraphOutput(value: string): boolean {
    return this.outputs.has(value);
  }

  constant(value: string): Tensor | undefined {
    this.reads?.add(value);
    if (this.constants.has(value)) return this.constants.get(value);
    const found = this.decodeConstant(value);
    this.constants.set(value, found);
    return found;
  }

  isConstant(value: string): boolean {
    this.reads?.add(value);
    if (this.initializers.has(value)) return !this.fed.has(value);
    const p = this.producers.get(value);
    return p !== undefined && p.node.op === 'Constant' && (p.node.domain === '' || p.node.domain === 'ai.onnx') && this.constant(value) !== undefined;
  }

  typeOf(value: string): TensorType | undefined {
    this.reads?.add(value);
    const init = this.initializers.get(value);
    return this.types.get(value) ?? (init === undefined ? undefined : { dtype: init.dtype, shape: init.shape });
  }

  attrValues(node: Node): Readonly<Record<string, unknown>> {
    const cached = this.attrCache.get(node);
    if (cached !== undefined) return cached;
    const spec = findOp(node.domain, node.op);
    let values: Record<string, unknown>;
    try {
      values = spec === undefined ? rawAttrs(node) : { ...readAttrs(spec, node) };
    } catch {
      // Malformed attributes are the verifier's to report; the pattern still sees what is there.
      values = rawAttrs(node);
    }
    this.attrCache.set(node, values);
    return values;
  }

  storedConstant(value: string): Initializer | undefined {
    this.reads?.add(value);
    return this.fed.has(value) ? undefined : this.initializers.get(value);
  }

  remember<T>(key: string, compute: () => T): T {
    const known = this.remembered.get(key);
    if (known !== undefined && this.stillHolds(known)) {
      // The attempt that reuses it depends on what the computation read.
      for (const v of known.reads) this.reads?.add(v);
      for (const v of known.consumerReads) this.consumerReads?.add(v);
      if (!known.outcome.ok) throw known.outcome.error;
      return known.outcome.value as T;
    }
    const at = this.clock;
    let outcome: Remembered['outcome'];
    const { reads, consumerReads } = this.recordAllReads(() => {
      try {
        outcome = { ok: true, value: compute() };
      } catch (error) {
        outcome = { ok: false, error };
      }
    });
    for (const v of reads) this.reads?.add(v);
    for (const v of consumerReads) this.consumerReads?.add(v);
    this.remembered.set(key, { outcome: outcome!, reads, consumerReads, at });
    if (!outcome!.ok) throw outcome!.error;
    return outcome!.value as T;
  }

  private stillHolds(known: Remembered): boolean {
    for (const v of known.reads) if ((this.definedAt.get(v) ?? 0) > known.at) return false;
    for (const v of known.consumerReads) if ((this.readersChangedAt.get(v) ?? 0) > known.at) return false;
    return true;
  }

  /**
   * Runs f and returns the values it read through the GraphView methods (producer,
   * consumers, constant, isConstant, typeOf): what a rule attempt's outcome depends on,
   * besides the root node itself (nodes are immutable records).
   */
  recordReads(f: () => void): Set<string> {
    return this.recordAllReads(f).reads;
  }

  private recordAllReads(f: () => void): { reads: Set<string>; consumerReads: Set<string> } {
    const outerReads = this.reads;
    const outerConsumerReads = this.consumerReads;
    const reads = new Set<string>();
    const consumerReads = new Set<string>();
    this.reads = reads;
    this.consumerReads = consumerReads;
    try {
      f();
    } finally {
      this.reads = outerReads;
      this.consumerReads = outerConsumerReads;
    }
    return { reads, consumerReads };
  }

  /** The values changed by remove, insert, setType and addInitializer since the last call. */
  takeChanges(): readonly string[] {
    const out = this.changes;
    this.changes = [];
    return out;
  }

  /** Node ids in current graph order (new nodes join at the next compact()). */
  snapshot(): readonly number[] {
    return this.order;
  }

  nodeById(id: number): Node | undefined {
    return this.byId[id];
  }

  isLive(node: Node): boolean {
    const id = this.ids.get(node);
    return id !== undefined && this.byId[id] === node;
  }

  hasNodeName(name: string): boolean {
    return this.usedNodeNames.has(name);
  }

  hasValueName(name: string): boolean {
    return this.usedValueNames.has(name);
  }

  /** Removes nodes; their outputs stop being defined unless a node inserted later defines them. */
  remove(nodes: Iterable<Node>): void {
    for (const n of nodes) {
      const id = this.ids.get(n);
      if (id === undefined || this.byId[id] !== n) throw new Error(`remove: node '${n.name}' is not in the graph`);
      this.byId[id] = undefined;
      for (const v of n.inputs) this.readers.get(v)?.delete(n);
      for (const v of n.outputs) if (v !== '' && this.producers.get(v)?.node === n) this.producers.delete(v);
      this.changed(n.inputs, n.outputs);
    }
  }

  /**
   * Inserts nodes where `at` stands in the order (at must be a node of this run). Values that
   * an earlier node defined and a new node redefines may be read before their new producer:
   * `interiorReplaced` asks for a topological re-sort at the end (callers first try
   * `earliestAnchor`, which makes that unnecessary).
   */
  insert(at: Node, nodes: readonly Node[], interiorReplaced: boolean): void {
    const anchor = this.ids.get(at);
    if (anchor === undefined) throw new Error(`insert: node '${at.name}' was never in the graph`);
    const list = this.inserted.get(anchor) ?? [];
    list.push(...nodes);
    this.inserted.set(anchor, list);
    // Only an anchor that stands in the compacted order (a whole-number rank) gives its new
    // nodes a rank: between two inserted nodes there is no known lower bound.
    const rank = this.rank.get(anchor);
    const anchorRank = rank !== undefined && Number.isInteger(rank) ? rank : undefined;
    const low = this.lastInsertedRank.get(anchor) ?? (anchorRank ?? 0) - 1;
    nodes.forEach((n, k) => {
      const id = this.register(n);
      if (anchorRank !== undefined) this.rank.set(id, low + ((anchorRank - low) * (k + 1)) / (nodes.length + 1));
      this.changed(n.inputs, n.outputs);
    });
    if (anchorRank !== undefined && nodes.length > 0) this.lastInsertedRank.set(anchor, this.rank.get(this.ids.get(nodes[nodes.length - 1]!)!)!);
    if (interiorReplaced) this.needsSort = true;
  }

  /**
   * Where new nodes that redefine values read by other nodes can stand so that the order stays
   * topological: the earliest of `candidates` (the nodes they replace, still in the graph) that
   * comes after every producer of what the new nodes read. Undefined when none does.
   */
  earliestAnchor(candidates: readonly Node[], nodes: readonly Node[]): Node | undefined {
    const rankOf = (n: Node) => this.rank.get(this.ids.get(n) ?? -1);
    const madeHere = new Set(nodes.flatMap((n) => n.outputs));
    let ready = -Infinity;
    for (const n of nodes) {
      for (const v of n.inputs) {
        const producer = madeHere.has(v) ? undefined : this.producers.get(v)?.node;
        if (producer === undefined) continue;
        const at = rankOf(producer);
        if (at === undefined) return undefined;
        ready = Math.max(ready, at);
      }
    }
    let best: { node: Node; at: number } | undefined;
    for (const c of candidates) {
      const at = rankOf(c);
      if (at !== undefined && Number.isInteger(at) && at > ready && (best === undefined || at < best.at)) best = { node: c, at };
    }
    return best?.node;
  }

  setType(value: string, type: TensorType): void {
    this.types.set(value, type);
    this.changed([], [value]);
  }

  /** Adds an initializer; `decoded` is its value when the caller has it already. */
  addInitializer(init: Initializer, decoded?: Tensor): void {
    const name = init.name;
    this.initializers.set(name, init);
    this.usedValueNames.add(name);
    if (decoded !== undefined) this.constants.set(name, decoded);
    else this.constants.delete(name);
    this.changed([], [name]);
  }

  /** Records that the readers of some values and the definitions of others changed. */
  private changed(readersOf: readonly string[], definitionsOf: readonly string[]): void {
    this.clock++;
    for (const v of readersOf) {
      this.changes.push(v);
      this.readersChangedAt.set(v, this.clock);
    }
    for (const v of definitionsOf) {
      this.changes.push(v);
      this.definedAt.set(v, this.clock);
    }
  }

  /** Folds inserted nodes (and nodes inserted before those) into the order; linear in the graph size. */
  compact(): void {
    const next: number[] = [];
    const place = (id: number) => {
      for (const n of this.inserted.get(id) ?? []) {
        const newId = this.ids.get(n);
        if (newId !== undefined && newId !== id) place(newId);
      }
      if (this.byId[id] !== undefined && !placed.has(id)) {
        placed.add(id);
        next.push(id);
      }
    };
    const placed = new Set<number>();
    for (const id of this.order) place(id);
    this.inserted.clear();
    this.order = next;
    this.rank.clear();
    this.lastInsertedRank.clear();
    next.forEach((id, i) => this.rank.set(id, i));
  }

  /** The current graph as immutable records, in topological order. */
  toGraph(): Graph {
    this.compact();
    const nodes = this.order.map((id) => this.byId[id]!);
    const valueInfo = new Map<string, TensorType>();
    for (const n of nodes) {
      for (const v of n.outputs) {
        const t = v === '' ? undefined : this.types.get(v);
        if (t !== undefined) valueInfo.set(v, t);
      }
    }
    const graph: Graph = { ...this.source, nodes, initializers: this.initializers, valueInfo };
    return this.needsSort ? topoSort(graph) : graph;
  }

  private register(n: Node): number {
    const id = this.byId.length;
    this.byId.push(n);
    this.ids.set(n, id);
    this.usedNodeNames.add(n.name);
    // A node reading a value twice is one reader: the set keeps it once.
    for (const v of n.inputs) {
      if (v === '') continue;
      let set = this.readers.get(v);
      if (set === undefined) this.readers.set(v, (set = new Set()));
      set.add(n);
    }
    for (let output = 0; output < n.outputs.length; output++) {
      const v = n.outputs[output]!;
      if (v === '') continue;
      this.usedValueNames.add(v);
      if (!this.producers.has(v)) this.producers.set(v, { node: n, output });
    }
    return id;
  }

  private decodeConstant(value: string): Tensor | undefined {
    const init = this.initializers.get(value);
    // An initializer that is also a graph input is only a default the caller may override.
    if (init !== undefined) return this.fed.has(value) ? undefined : tensorFromBytes(init.dtype, init.shape, init.bytes.read());
    const p = this.producers.get(value);
    if (p === undefined || p.node.op !== 'Constant' || (p.node.domain !== '' && p.node.domain !== 'ai.onnx')) return undefined;
    try {
      return constantValue(p.node, readAttrs(Constant, p.node));
    } catch {
      return undefined;
    }
  }
}

function rawAttrs(node: Node): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, a] of Object.entries(node.attrs)) out[k] = a.value;
  return out;
}
