// Reference kernel: Attention (opset 23), one query row at a time in float64.
// Causal masking follows the ONNX reference: query i attends key j iff j <= i + past_length,
// i.e. upper-left aligned when there is no past (q and kv lengths may differ).
import { Attention } from '../../../ir/ops/attention.js';
import type { Node } from '../../../ir/graph.js';
import { opError } from '../../../ir/ops/shape-util.js';
import type { Tensor } from '../../../ir/tensor.js';
import { defineKernel } from '../kernel.js';
import { broadcastStrides } from '../strides.js';
import { required } from './args.js';
import { type HeadView, contiguous, headView, rowOffset } from './heads.js';
import { declaredOutputs, tensorOf } from './nn-args.js';

/** past ++ current along the sequence, as a 4-D [B, H, past + S, D] view. */
function withPast(node: Node, what: string, current: HeadView, past: Tensor | undefined): HeadView {
  if (past === undefined) return headView(node, what, { shape: [current.batch, current.heads, current.seq, current.size], data: contiguous(current) }, undefined);
  const p = headView(node, `past_${what}`, past, undefined);
  if (p.batch !== current.batch || p.heads !== current.heads || p.size !== current.size) {
    throw opError(node, `past_${what} [${past.shape.join(', ')}] does not fit ${what} with ${current.heads} heads of size ${current.size}`);
  }
  const [a, b] = [contiguous(p), contiguous(current)];
  const total = p.seq + current.seq;
  const out = new Float64Array(current.batch * current.heads * total * current.size);
  const [pRow, cRow] = [p.seq * p.size, current.seq * current.size];
  for (let bh = 0; bh < current.batch * current.heads; bh++) {
    out.set(a.subarray(bh * pRow, (bh + 1) * pRow), bh * (pRow + cRow));
    out.set(b.subarray(bh * cRow, (bh + 1) * cRow), bh * (pRow + cRow) + pRow);
  }
  return headView(node, what, { shape: [current.batch, current.heads, total, current.size], data: out }, undefined);
}

/** Additive bias lookup for attn_mask broadcast to [B, Hq, Sq, T]; keys past its last dim are masked. */
function maskBias(node: Node, mask: Tensor | undefined, dims: readonly number[]): (b: number, h: number, i: number, j: number) => number {
  if (mask === undefined) return () => 0;
  const s = mask.shape;
  const fits = s.length >= 1 && s.length <= 4 && s.slice(0, -1).every((d, k) => d === 1 || d === dims[4 - s.length + k]) && s.at(-1)! <= dims[3]!;
  if (!fits) throw opError(node, `attn_mask [${s.join(', ')}] does not broadcast to [${dims.join(', ')}]`);
  const [sb, sh, si, sj] = broadcastStrides(s, 4) as [number, number, number, number];
  const last = s.at(-1)!;
  const isBool = mask.dtype === 'bool';
  return (b, h, i, j) => {
    if (j >= last) return -Infinity;
    const v = mask.data[b * sb + h * sh + i * si + j * sj]!;
    return isBool ? (v !== 0 ? 0 : -Infinity) : v;
  };
}

defineKernel(Attention, (inputs, attrs, node) => {
  const qt = required(inputs, 0, node);
  const q = headView(node, 'Q', qt, attrs.q_num_heads);
  const kNow = headView(node, 'K', required(inputs, 1, node), attrs.kv_num_heads);
  const vNow = headView(node, 'V', required(inputs, 2, node), attrs.kv_num_heads);
  if (attrs.qk_matmul_output_mode !== 0 && node.outputs[3]) {
    throw opError(node, `qk_matmul_output_mode ${attrs.qk_matmul_output_mode} is not supported (only 0, the scaled Q K^T)`);
  }
  if (q.size !== kNow.size) throw opError(node, `Q head size ${q.size} differs from K head size ${kNow.size}`);
  if (kNow.heads !== vNow.heads || kNow.seq !== vNow.seq) throw opError(node, 'K and V differ in heads or sequence length');
  if (q.heads % kNow.heads !== 0) throw opError(node, `Q heads ${q.heads} are not a multiple of K/V heads ${kNow.heads}`);
  const pastLength = inputs[4]?.shape[2] ?? 0;
  const k = withPast(node, 'key', kNow, inputs[4]);
  const v = withPast(node, 'value', vNow, inputs[5]);
  const [batch, heads, qLen, total, vSize] = [q.batch, q.heads, q.seq, k.seq, v.size];
  const bias = maskBias(node, inputs[3], [batch, heads, qLen, total]);
  const scale = attrs.scale ?? 1 / Math.sqrt(q.size);
  const group = heads / k.heads;
  const y = new Float64Array(batch * heads * qLen * vSize);
  const yView = qt.shape.length === 3
    ? headView(node, 'Y', { shape: [batch, qLen, heads * vSize], data: y }, heads)
    : headView(node, 'Y', { shape: [batch, heads, qLen, vSize], data: y }, undefined);
  const qk = new Float64Array(batch * heads * qLen * total);
  const row = new Float64Array(total);
  for (let b = 0; b < batch; b++) for (let h = 0; h < heads; h++) {
    const kvh = Math.floor(h / group);
    for (let i = 0; i < qLen; i++) {
      const qo = rowOffset(q, b, h, i);
      let allMasked = true;
      let max = -Infinity;
      for (let j = 0; j < total; j++) {
        const ko = rowOffset(k, b, kvh, j);
        let dot = 0;
        for (let d = 0; d < q.size; d++) dot += q.data[qo + d]! * k.data[ko + d]!;
        let s = dot * scale;
        qk[((b * heads + h) * qLen + i) * total + j] = s;
        if (attrs.softcap > 0) s = attrs.softcap * Math.tanh(s / attrs.softcap);
        const masked = attrs.is_causal !== 0 && j > i + pastLength ? -Infinity : bias(b, h, i, j);
        if (masked !== -Infinity) allMasked = false;
        row[j] = s + masked;
        if (row[j]! > max) max = row[j]!;
      }
      // A row with every key masked outputs zeros, as the ONNX reference does.
      if (allMasked) continue;
      let sum = 0;
      for (let j = 0; j < total; j++) sum += (row[j] = Math.exp(row[j]! - max));
      const yo = rowOffset(yView, b, h, i);
      for (let j = 0; j < total; j++) {
        const p = row[j]! / sum;
        const vo = rowOffset(v, b, kvh, j);
        for (let d = 0; d < vSize; d++) y[yo + d]! += p * v.data[vo + d]!;
      }
    }
  }
  const present = (view: HeadView) => tensorOf(qt.dtype, [view.batch, view.heads, view.seq, view.size], view.data);
  const yShape = qt.shape.length === 3 ? [batch, qLen, heads * vSize] : [batch, heads, qLen, vSize];
  return declaredOutputs(node, [tensorOf(qt.dtype, yShape, y), present(k), present(v), tensorOf(qt.dtype, [batch, heads, qLen, total], qk)]);
});
