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
 * Fused nodes with the same origins form one group (a rewrite that emits several nodes gives
 * each the whole cluster); other nodes of B match the node of A with their name.
 */
export function matchByProvenance(a: NodeIndex, b: NodeIndex): { matches: RawMatch[]; unknownOrigins: string[] } {
  const groups = new Map<string, { a: number[]; b: number[] }>();
  const claimed = new Set<number>();
  const unknown = new Set<string>();
  b.nodes.forEach((n, j) => {
    if (!isFused(n.name, n.origins)) return;
    const key = JSON.stringify(n.origins);
    let group = groups.get(key);
    if (group === undefined) {
      const members: number[] = [];
      for (const o of n.origins) {
        const i = a.byName.get(o);
        if (i === undefined) unknown.add(o);
        else members.push(i);
      }
      group = { a: members, b: [] };
      groups.set(key, group);
      for (const i of members) claimed.add(i);
    }
    group.b.push(j);
  });
  const matches: RawMatch[] = [...groups.values()].map((g) => ({ a: g.a, b: g.b, by: 'provenance' }));
  b.nodes.forEach((n, j) => {
    if (isFused(n.name, n.origins)) return;
    const i = a.byName.get(n.name);
    if (i !== undefined && !claimed.has(i)) {
      claimed.add(i);
      matches.push({ a: [i], b: [j], by: 'name' });
    }
  });
  return { matches, unknownOrigins: [...unknown] };
}
