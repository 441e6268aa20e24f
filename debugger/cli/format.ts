// Plain-text formatting shared by the commands' human-readable output.
import type { Inspection } from '../../api/inspect.js';
import type { OutputComparison } from '../../api/run.js';
import { typeToString } from '../../ir/types.js';

export function formatInspection(file: string, s: Inspection): string {
  const out: string[] = [`model: ${file}`, 'inputs:'];
  for (const v of s.inputs) out.push(`  ${v.name}  ${typeToString(v.type)}`);
  out.push('outputs:');
  for (const v of s.outputs) out.push(`  ${v.name}  ${typeToString(v.type)}`);
  out.push(`nodes: ${s.nodeCount}`);
  out.push(`parameters: ${s.parameterCount.toLocaleString('en-US')}`);
  out.push('ops:');
  const width = Math.max(0, ...s.ops.map((o) => o.op.length));
  for (const { op, count } of s.ops) out.push(`  ${op.padEnd(width)}  ${count}`);
  return `${out.join('\n')}\n`;
}

export function formatComparisons(rows: readonly OutputComparison[]): string {
  const lines = rows.map((r) => {
    const verdict = r.ok ? 'ok' : 'MISMATCH';
    const detail = r.problem ?? `max abs ${fmt(r.maxAbs)}  max rel ${fmt(r.maxRel)}`;
    return `  out.${r.index} (${r.name})  ${detail}  ${verdict}`;
  });
  return `${lines.join('\n')}\n`;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toExponential(2) : String(x);
}
