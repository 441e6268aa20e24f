// The human-readable check report: a verdict, the first failing node in detail, the others listed.
import type { CheckReport, NodeCheck } from '../check.js';

export function formatCheck(r: CheckReport, labels: { original: string; optimized: string }, limit: number): string {
  const out = [
    `check: ${labels.optimized} against ${labels.original}`,
    `  reference: float64 run of the original; a value fails when its max abs error > max(${r.k} x the float32 original's, ${r.floor} x max|ref|)`,
    `  compared ${r.values} values of ${r.nodes.length} nodes${r.uncompared.length > 0 ? ` (${r.uncompared.length} nodes define only new values, not compared)` : ''}`,
  ];
  const first = r.firstFailing;
  if (first === undefined) {
    out.push('ok: no node fails');
    return `${out.join('\n')}\n`;
  }
  out.push(`FAIL: ${r.failing.length} of ${r.nodes.length} nodes fail; the first, in topological order:`);
  out.push(...describeNode(first));
  const rest = r.nodes.filter((n) => !n.ok && n !== first);
  if (rest.length > 0) {
    out.push(`other failing nodes (${Math.min(limit, rest.length)} of ${rest.length}):`);
    for (const n of rest.slice(0, limit)) out.push(`  ${n.name} (${n.op}): max abs ${num(n.maxAbs)}, own ${num(n.ownError)}, ${n.cause}`);
  }
  return `${out.join('\n')}\n`;
}

function describeNode(n: NodeCheck): string[] {
  const replacing = n.origins === undefined ? '' : `, replacing ${n.origins.join(', ')}`;
  const lines = [`  ${n.name} (${n.op})${replacing}`];
  for (const v of n.values) {
    if (v.problem !== undefined) {
      lines.push(`    ${v.value}: ${v.problem}`);
      continue;
    }
    const verdict = v.ok ? 'ok' : 'FAIL';
    lines.push(`    ${v.value} ${v.dtype}[${v.shape.join(', ')}]: max abs ${num(v.maxAbs)} at [${v.worstIndex.join(', ')}], max rel ${num(v.maxRel)}; allowed ${num(v.allowed)} (float32 original ${num(v.baseline)})  ${verdict}`);
  }
  const why = n.cause === 'own'
    ? 'the node itself computes wrong values'
    : 'the node is right on exact inputs: the error comes from upstream';
  lines.push(`    own error ${num(n.ownError)} (alone, on reference inputs), inherited ${num(n.inheritedError)}: ${why}`);
  return lines;
}

function num(x: number): string {
  return Number.isFinite(x) ? x.toExponential(2) : String(x);
}
