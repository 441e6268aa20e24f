// Exact matching for a graph solder rewrote: fused nodes carry the names of the nodes they
// replaced, and everything else kept its name.
import type { Graph } from '../../ir/graph.js';
import type { RawMatch } from '../diff.js';
import type { NodeIndex } from './nodes.js';

/** True when some node of the graph replaced other nodes (a node listing only itself was carried over). */
export function hasProvenance(graph: Graph): boolean {
  return graph.nodes.some((n) => isFused(n.name, n.origins));
}

function isFused(name: string, origins: readonly string[] | undefined): origins is readonly string[] {
  return origins !== undefined && origins.length > 0 && !(origins.length === 1 && origins[0] === name);
}

/**
 * Each fused node maps to exactly its origins; fused nodes with the same origins form one
 * mapping (a rewrite that emits several nodes gives each the whole cluster). Every other
 * node of B matches the node of A with its name. Mappings may share nodes of A: a helper
 * node one rewrite emitted and a later rewrite fused again stands behind both results, and
 * a rule that keeps a matched node (its output is read elsewhere) lists it as an origin too.
 */
export function matchByProvenance(a: NodeIndex, b: NodeIndex): { matches: RawMatch[]; unknownOrigins: string[] } {
  const groups = new Map<string, RawMatch & { b: number[] }>();
  const unknown = new Set<string>();
  const matches: RawMatch[] = [];
  b.nodes.forEach((n, j) => {
    if (isFused(n.name, n.origins)) {
      const key = JSON.stringify(n.origins);
      const group = groups.get(key);
      if (group !== undefined) {
        group.b.push(j);
        return;
      }
      const members: number[] = [];
      for (const o of n.origins) {
        const i = a.byName.get(o);
        if (i === undefined) unknown.add(o);
        else members.push(i);
      }
      const match = { a: members, b: [j], by: 'provenance' as const };
      groups.set(key, match);
      matches.push(match);
      return;
    }
    const i = a.byName.get(n.name);
    if (i !== undefined) matches.push({ a: [i], b: [j], by: 'name' });
  });
  return { matches, unknownOrigins: [...unknown] };
}
