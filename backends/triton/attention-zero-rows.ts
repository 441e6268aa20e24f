// fully_masked_rows='zero' in a plan. The attention kernel writes 0 for a row only when no key
// is in range or in its causal band: keys a mask drops are clamped to a finite -1e30 (so that
// finfo.min masks average as in eager softmax), so a row its mask drops whole would come out
// as the average of v. The plan therefore marks the rows that keep a key (keep-mask AND
// causal band, one row maximum) and zeroes the others after the kernel.
import { type Dim, isKnown } from '../../ir/dim.js';
import type { Node } from '../../ir/graph.js';
import { opError } from '../../ir/ops/shape-util.js';
import { rowKernel } from './codegen.js';
import { ZERO, broadcastIdx } from './emit.js';
import type { Lowering } from './lower.js';
import { provenance } from './sanitize.js';
import type { View } from './views.js';

const MAX_ROW = 65536;

/** Row markers already built, by keep-mask, band and sizes: layers share one. */
const builtMarkers = new WeakMap<Lowering, Map<string, string>>();

/**
 * A float32 [batch|1, heads|1, q, 1] value, 1 where the row keeps a key of the bool keep-mask
 * `keep` (and of the causal band when the node is causal), 0 where it keeps none.
 */
export function rowsKeepingAKey(L: Lowering, node: Node, keep: string, qSeq: Dim, kvSeq: Dim): string {
  const causal = node.attrs.causal?.kind === 'int' && node.attrs.causal.value === 1;
  const key = [keep, causal, isKnown(qSeq) ? qSeq : qSeq.expr, isKnown(kvSeq) ? kvSeq : kvSeq.expr].join('|');
  const built = builtMarkers.get(L) ?? new Map<string, string>();
  builtMarkers.set(L, built);
  const known = built.get(key);
  if (known !== undefined) return known;
  if (L.dtype(keep) !== 'bool') throw opError(node, `fully_masked_rows='zero' needs a bool keep-mask, found ${L.dtype(keep)}`);
  const given = L.shape(keep);
  if (given.length > 4) throw opError(node, `mask of rank ${given.length} cannot be an attention mask`);
  const maxRow = L.symbols.evaluate(kvSeq, L.symbols.maxEnv);
  if (maxRow > MAX_ROW) throw opError(node, `a kv length of ${maxRow} exceeds the ${MAX_ROW} keys a row of fully_masked_rows='zero' is checked over`);
  const lead = [...new Array<Dim>(4 - given.length).fill(1), ...given].slice(0, 2);
  const shape = [...lead, qSeq, kvSeq];
  const keptName = `${keep}.kept_keys`;
  const kept = L.newBuffer(keptName, shape, 'float32');
  L.pointwise(`kept keys of ${node.name}`, kept, (k, idx, mask) => {
    const conditions = [`(${k.valueAt(keep, broadcastIdx(idx, shape, given), mask).code} != 0)`];
    if (causal) conditions.push(`(${idx[3]!.code} <= ${idx[2]!.code} + ${k.dim(kvSeq)} - ${k.dim(qSeq)})`);
    return k.bind(`tl.where(${conditions.join(' & ')}, 1.0, 0.0)`, 'float32', true);
  });
  L.setStored(keptName, kept);
  const markerName = `${keep}.row_keeps_a_key`;
  const marker = L.newBuffer(markerName, [...lead, qSeq, 1], 'float32');
  L.push(rowKernel(L.body(), provenance(`rows of ${node.name} that keep a key`), keptName, shape, 1, 'max', marker, maxRow));
  L.setStored(markerName, marker);
  built.set(key, markerName);
  return markerName;
}

/** Zeroes, in place, the rows of the attention output `out` whose marker is 0. */
export function zeroRowsWithoutKeys(L: Lowering, node: Node, marker: string, out: View): void {
  const value = node.outputs[0]!;
  const markerShape = L.shape(marker);
  const outShape = L.shape(value);
  L.pointwise(`fully masked rows of ${node.name} zeroed`, out, (k, idx, mask) => {
    const keeps = k.valueAt(marker, [...broadcastIdx(idx.slice(0, 3), outShape.slice(0, 3), markerShape.slice(0, 3)), ZERO], mask);
    const y = k.valueAt(value, idx, mask);
    return k.bind(`tl.where(${keeps.code} > 0.0, ${y.code}, 0.0)`, y.dtype, true);
  });
}
