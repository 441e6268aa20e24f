// Before/after matching through provenance: a fused node stands for its origins; any
// other node is matched by name. Until the optimizer records origins everywhere, two
// unrelated exports compare by node name alone.
import type { Graph } from '../../ir/graph.js';
import type { DiffStatus } from './page/protocol.js';

export interface GraphDiff {
  readonly before: ReadonlyMap<string, DiffStatus>;
  readonly after: ReadonlyMap<string, DiffStatus>;
}

/** The status of every node on both sides. */
export function diffGraphs(before: Graph, after: Graph): GraphDiff {
  const beforeNames = new Set(before.nodes.map((n) => n.name));
  const afterNames = new Set(after.nodes.map((n) => n.name));
  const replaced = new Set<string>();
  const afterStatus = new Map<string, DiffStatus>();
  for (const n of after.nodes) {
    const origins = n.origins ?? [];
    // A node whose only origin is itself was carried over, not fused.
    const fused = origins.length > 0 && !(origins.length === 1 && origins[0] === n.name);
    if (fused) for (const o of origins) replaced.add(o);
    afterStatus.set(n.name, fused ? 'fused' : beforeNames.has(n.name) ? 'same' : 'added');
  }
  const beforeStatus = new Map<string, DiffStatus>();
  for (const n of before.nodes) {
    const status: DiffStatus = afterNames.has(n.name) && !replaced.has(n.name) ? 'same'
      : replaced.has(n.name) ? 'fused' : 'removed';
    beforeStatus.set(n.name, status);
  }
  return { before: beforeStatus, after: afterStatus };
}

/** Every node on one side has status 'same' when there is nothing to compare with. */
export function sameEverywhere(graph: Graph): ReadonlyMap<string, DiffStatus> {
  return new Map(graph.nodes.map((n) => [n.name, 'same' as const]));
}
