// The human-readable diff: a summary table, then the first changes.
import type { Graph } from '../../ir/graph.js';
import { opKey } from '../../ir/graph.js';
import type { GraphDiff } from '../diff.js';

/** Summary table and the first `limit` changes (replaced, changed, removed, added). */
export function formatDiff(d: GraphDiff, a: Graph, b: Graph, labels: { a: string; b: string }, limit: number): string {
  const opA = opsByName(a);
  const opB = opsByName(b);
  const pct = (f: number) => `${(100 * f).toFixed(1)}%`;
  const rows: [string, string, string][] = [
    ['', labels.a, labels.b],
    ['nodes', String(d.a.nodes), String(d.b.nodes)],
    ['matched', `${d.a.matched} (${pct(d.a.fraction)})`, `${d.b.matched} (${pct(d.b.fraction)})`],
    ['removed / added', String(d.counts.removed), String(d.counts.added)],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const out = rows.map(([x, y, z]) => `  ${x.padEnd(w0)}  ${y.padEnd(w1)}  ${z}`);
  const by = Object.entries(d.counts.by).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ');
  out.unshift(`diff (${d.mode === 'provenance' ? 'exact, from provenance' : 'by name and structure'}):`);
  out.push(`  mappings: ${d.counts.same} same, ${d.counts.changed} changed, ${d.counts.replaced} replaced (matched by ${by || 'nothing'})`);
  if (d.unknownOrigins.length > 0) out.push(`  ${d.unknownOrigins.length} origins name no node of ${labels.a}: ${d.unknownOrigins.slice(0, 5).join(', ')}`);

  const changes: string[] = [];
  const list = (names: readonly string[], ops: ReadonlyMap<string, string>) => names.map((n) => `${n} (${ops.get(n) ?? '?'})`).join(', ');
  for (const m of d.mappings) {
    if (m.kind === 'replaced') changes.push(`~ replaced  ${m.a.join(', ') || '(no node of A)'} -> ${list(m.b, opB)}`);
    else if (m.kind === 'changed') changes.push(`* changed   ${list(m.a, opA)} -> ${list(m.b, opB)}: ${m.detail ?? ''}${m.by === 'name' ? '' : ` [by ${m.by}]`}`);
  }
  for (const n of d.removed) changes.push(`- removed   ${list([n], opA)}`);
  for (const n of d.added) changes.push(`+ added     ${list([n], opB)}`);
  if (changes.length === 0) {
    out.push('no changes');
  } else {
    out.push(`changes (${Math.min(limit, changes.length)} of ${changes.length}):`);
    out.push(...changes.slice(0, limit).map((c) => `  ${c}`));
    if (changes.length > limit) out.push(`  ... ${changes.length - limit} more (--limit N, or --json for the full mapping)`);
  }
  return `${out.join('\n')}\n`;
}

function opsByName(g: Graph): Map<string, string> {
  return new Map(g.nodes.map((n) => [n.name, opKey(n.domain, n.op)]));
}
