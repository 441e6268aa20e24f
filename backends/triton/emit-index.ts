// Ops whose values depend on their own indices, emitted as index arithmetic: rotary
// embeddings (each lane reads its rotation partner) and Trilu (keeps one triangle).
import { type Dim, isKnown } from '../../ir/dim.js';
import type { Node } from '../../ir/graph.js';
import { opError } from '../../ir/ops/shape-util.js';
import { type Idx, type KernelBody, ZERO, and } from './emit.js';
import { type Val, literal } from './elementwise.js';

export function rotary(k: KernelBody, node: Node, idx: readonly Idx[], mask: string | undefined): Val {
  const [x, cos, sin] = [node.inputs[0]!, node.inputs[1]!, node.inputs[2]!];
  const xShape = k.src.shape(x);
  const r = node.attrs.rotary_dim?.kind === 'int' && node.attrs.rotary_dim.value > 0 ? node.attrs.rotary_dim.value : xShape[3]!;
  if (!isKnown(r)) throw opError(node, 'the rotary width must be a known size');
  const d = idx[3]!;
  const half = r / 2;
  const interleaved = node.attrs.interleaved?.kind === 'int' && node.attrs.interleaved.value === 1;
  const inRot = `${d.code} < ${r}`;
  const table = (name: string) => {
    const s = k.src.shape(name);
    const four = s.length === 2 ? [ZERO, ZERO, idx[2]!, d] : s.length === 3 ? [idx[0]!, ZERO, idx[2]!, d] : [...idx];
    const dims: Dim[] = s.length === 2 ? [1, 1, ...s] : s.length === 3 ? [s[0]!, 1, s[1]!, s[2]!] : [...s];
    const picked = four.map((ix, i) => (dims[i] === 1 ? ZERO : ix)).slice(4 - s.length);
    return k.valueAt(name, s.length === 3 ? [picked[0]!, picked[2]!, picked[3]!] : picked, and(mask, inRot));
  };
  const partnerIdx = interleaved
    ? k.bindIdx(`tl.where(${d.code} % 2 == 0, ${d.code} + 1, ${d.code} - 1)`, d.tile)
    : k.bindIdx(`tl.where(${d.code} < ${half}, ${d.code} + ${half}, ${d.code} - ${half})`, d.tile);
  const sign = interleaved ? `tl.where(${d.code} % 2 == 0, -1.0, 1.0)` : `tl.where(${d.code} < ${half}, -1.0, 1.0)`;
  const xv = k.valueAt(x, idx, mask);
  const partner = k.valueAt(x, [idx[0]!, idx[1]!, idx[2]!, partnerIdx], and(mask, inRot));
  const [c, s] = [table(cos), table(sin)];
  return k.bind(`tl.where(${inRot}, ${xv.code} * ${c.code} + ${sign} * ${partner.code} * ${s.code}, ${xv.code})`, k.src.dtype(node.outputs[0]!), true);
}

export function trilu(k: KernelBody, node: Node, idx: readonly Idx[], mask: string | undefined, shape: readonly Dim[]): Val {
  const form = node.inputs[1] ? k.src.form(node.inputs[1]) : undefined;
  const diag = form?.kind === 'literal' ? form.value : form?.kind === 'shape' && isKnown(form.dims[0]!) ? form.dims[0] : form === undefined ? 0 : undefined;
  if (diag === undefined) throw opError(node, 'Trilu needs a constant k');
  const upper = node.attrs.upper?.kind !== 'int' || node.attrs.upper.value === 1;
  const [row, col] = [idx[shape.length - 2]!, idx[shape.length - 1]!];
  const keep = upper ? `${col.code} - ${row.code} >= ${diag}` : `${col.code} - ${row.code} <= ${diag}`;
  const x = k.valueAt(node.inputs[0]!, idx, mask);
  const dtype = k.src.dtype(node.outputs[0]!);
  return k.bind(`tl.where(${keep}, ${x.code}, ${literal(0, dtype)})`, dtype, true);
}

