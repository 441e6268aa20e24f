// diff: which nodes of graph A became which nodes of graph B.
//
// When B was rewritten by solder (some node carries `origins`; or A, when given first), the
// mapping is exact from provenance: each fused node maps to the original nodes it replaced, every other node of B
// to the node of A with its name. For two unrelated exports of one model, nodes are matched
// by name first (exact, then without the dynamo exporter's `node_` prefix), then by structure
// (debugger/diff/structure.ts: Weisfeiler-Lehman colours over op types and neighbourhoods,
// growth along edges from matched pairs, and alignment in topological order for ties), and
// the diff says how much of each side it matched.
import type { Graph } from '../ir/graph.js';
import { type NodeIndex, indexNodes, nodeDifference } from './diff/nodes.js';
import { matchByProvenance, hasProvenance } from './diff/provenance.js';
import { matchByStructure } from './diff/structure.js';

/** How a pair of nodes was matched. */
export type MatchMethod = 'provenance' | 'name' | 'structure' | 'neighbour' | 'order';

/** Nodes of A that became nodes of B. All names; plain JSON. */
export interface NodeMapping {
  readonly a: readonly string[];
  readonly b: readonly string[];
  /** same: one to one, same op and attributes; changed: one to one, op or attributes differ; replaced: fused by a rewrite. */
  readonly kind: 'same' | 'changed' | 'replaced';
  readonly by: MatchMethod;
  /** For 'changed': what differs (`op Add -> Sub`, `allowzero 1 -> 0`). */
  readonly detail?: string;
}

export interface DiffSide {
  readonly graph: string;
  readonly nodes: number;
  /** Nodes that have a counterpart on the other side. */
  readonly matched: number;
  /** matched / nodes (1 for an empty graph). */
  readonly fraction: number;
}

/** The result of diffGraphs: plain JSON-able data, consumed by the CLI and the web UI. */
export interface GraphDiff {
  /** provenance: B carries origins, the mapping is exact; structure: matched by names and structure. */
  readonly mode: 'provenance' | 'structure';
  readonly a: DiffSide;
  readonly b: DiffSide;
  /**
   * Every matched group, in B's node order. Each node of B is in one mapping or in `added`;
   * under provenance a node of A may stand behind several (see diff/provenance.ts).
   */
  readonly mappings: readonly NodeMapping[];
  /** Nodes of A with no counterpart, in A's order. */
  readonly removed: readonly string[];
  /** Nodes of B with no counterpart, in B's order. */
  readonly added: readonly string[];
  /** Origins that name no node of the original side (rewritten from another graph?). */
  readonly unknownOrigins: readonly string[];
  readonly counts: {
    readonly same: number;
    readonly changed: number;
    readonly replaced: number;
    readonly removed: number;
    readonly added: number;
    /** Mappings per method. */
    readonly by: Readonly<Record<MatchMethod, number>>;
  };
}

/** A raw match before it is judged same / changed: node indices into A and B. */
export interface RawMatch {
  readonly a: readonly number[];
  readonly b: readonly number[];
  readonly by: MatchMethod;
}

/** Maps the nodes of A onto the nodes of B; see the file comment for how. */
export function diffGraphs(a: Graph, b: Graph): GraphDiff {
  const ia = indexNodes(a);
  const ib = indexNodes(b);
  if (hasProvenance(b)) {
    const { matches, unknownOrigins } = matchByProvenance(ia, ib);
    return summarize(ia, ib, 'provenance', matches, unknownOrigins);
  }
  if (hasProvenance(a)) {
    // The rewritten graph given first: match the other way round and swap the sides back.
    const { matches, unknownOrigins } = matchByProvenance(ib, ia);
    return summarize(ia, ib, 'provenance', matches.map((m) => ({ a: m.b, b: m.a, by: m.by })), unknownOrigins);
  }
  return summarize(ia, ib, 'structure', matchByStructure(ia, ib), []);
}

function summarize(ia: NodeIndex, ib: NodeIndex, mode: GraphDiff['mode'], matches: readonly RawMatch[], unknownOrigins: readonly string[]): GraphDiff {
  const usedA = new Set(matches.flatMap((m) => m.a));
  const usedB = new Set(matches.flatMap((m) => m.b));
  const ordered = [...matches].sort((x, y) => Math.min(...x.b) - Math.min(...y.b));
  const mappings = ordered.map((m): NodeMapping => {
    const names = { a: m.a.map((i) => ia.nodes[i]!.name), b: m.b.map((i) => ib.nodes[i]!.name) };
    if (m.by === 'provenance') return { ...names, kind: 'replaced', by: m.by };
    const detail = nodeDifference(ia.nodes[m.a[0]!]!, ib.nodes[m.b[0]!]!);
    return { ...names, kind: detail === undefined ? 'same' : 'changed', by: m.by, ...(detail === undefined ? {} : { detail }) };
  });
  const removed = ia.nodes.filter((_, i) => !usedA.has(i)).map((n) => n.name);
  const added = ib.nodes.filter((_, i) => !usedB.has(i)).map((n) => n.name);
  const by: Record<MatchMethod, number> = { provenance: 0, name: 0, structure: 0, neighbour: 0, order: 0 };
  for (const m of mappings) by[m.by]++;
  const count = (kind: NodeMapping['kind']) => mappings.filter((m) => m.kind === kind).length;
  return {
    mode,
    a: side(ia, usedA.size),
    b: side(ib, usedB.size),
    mappings, removed, added, unknownOrigins,
    counts: { same: count('same'), changed: count('changed'), replaced: count('replaced'), removed: removed.length, added: added.length, by },
  };
}

function side(index: NodeIndex, matched: number): DiffSide {
  const nodes = index.nodes.length;
  return { graph: index.graph.name, nodes, matched, fraction: nodes === 0 ? 1 : matched / nodes };
}
