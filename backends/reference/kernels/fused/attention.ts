// Reference kernel: solder::Attention (semantics documented in ir/ops/fused/attention.ts).
import { Attention } from '../../../../ir/ops/fused/attention.js';
import { opError } from '../../../../ir/ops/shape-util.js';
import { allocData } from '../../../../ir/tensor.js';
import { defineKernel } from '../../kernel.js';
import { broadcastStridesTo, requiredInput, shape4 } from './read.js';

defineKernel(Attention, (inputs, attrs, node) => {
  const q = requiredInput(inputs, 0, node, 'q');
  const k = requiredInput(inputs, 1, node, 'k');
  const v = requiredInput(inputs, 2, node, 'v');
  const mask = inputs[3];
  const [batch, qHeads, qSeq, headDim] = shape4(node, 'q', q);
  const [, kvHeads, kvSeq] = shape4(node, 'k', k);
  const [, , , valueDim] = shape4(node, 'v', v);
  if (kvHeads === 0 || qHeads % kvHeads !== 0) throw opError(node, `q heads (${qHeads}) must be a multiple of kv heads (${kvHeads})`);
  const group = qHeads / kvHeads;
  const { scale, causal } = attrs;
  const rows = attrs.fully_masked_rows;
  const maskStrides = mask === undefined ? undefined : broadcastStridesTo(node, 'mask', mask.shape, [batch, qHeads, qSeq, kvSeq]);
  const isBoolMask = mask?.dtype === 'bool';
  if (rows !== 'nan' && mask !== undefined && !isBoolMask) throw opError(node, `fully_masked_rows='${rows}' needs a bool keep-mask, found a ${mask.dtype} mask`);
  // Bottom-right causal alignment: query i sees keys 0 .. i + (kvSeq - qSeq).
  const causalOffset = kvSeq - qSeq;

  const out = allocData(q.dtype, batch * qHeads * qSeq * valueDim);
  const scores = new Float64Array(kvSeq);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < qHeads; h++) {
      const kvHead = Math.floor(h / group);
      const qBase = (b * qHeads + h) * qSeq * headDim;
      const kBase = (b * kvHeads + kvHead) * kvSeq * headDim;
      const vBase = (b * kvHeads + kvHead) * kvSeq * valueDim;
      for (let i = 0; i < qSeq; i++) {
        let keptKeys = 0;
        for (let j = 0; j < kvSeq; j++) {
          let dot = 0;
          for (let d = 0; d < headDim; d++) dot += q.data[qBase + i * headDim + d]! * k.data[kBase + j * headDim + d]!;
          let s = scale * dot;
          let masked = causal === 1 && j > i + causalOffset;
          if (mask !== undefined && maskStrides !== undefined) {
            const m = mask.data[b * maskStrides[0]! + h * maskStrides[1]! + i * maskStrides[2]! + j * maskStrides[3]!]!;
            if (isBoolMask) masked ||= m === 0;
            else s += m;
          }
          if (!masked) keptKeys++;
          scores[j] = masked ? -Infinity : s;
        }
        // Opt-in: a fully masked row averages every key, as HF's finfo.min masks make it, or
        // is 0, as ONNX's Attention and sdpa's NaN guard make it.
        if (keptKeys === 0 && rows === 'average') scores.fill(1 / kvSeq);
        else if (keptKeys === 0 && rows === 'zero') scores.fill(0);
        else softmaxInPlace(scores);
        const oBase = ((b * qHeads + h) * qSeq + i) * valueDim;
        for (let d = 0; d < valueDim; d++) {
          let acc = 0;
          for (let j = 0; j < kvSeq; j++) acc += scores[j]! * v.data[vBase + j * valueDim + d]!;
          out[oBase + d] = acc;
        }
      }
    }
  }
  return [{ dtype: q.dtype, shape: [batch, qHeads, qSeq, valueDim], data: out }];
});

/** Softmax over a row; a row of all -inf becomes NaN, as eager softmax gives (exp(-inf - -inf)). */
function softmaxInPlace(row: Float64Array): void {
  let max = -Infinity;
  for (const s of row) max = Math.max(max, s);
  let sum = 0;
  for (let j = 0; j < row.length; j++) {
    row[j] = Math.exp(row[j]! - max);
    sum += row[j]!;
  }
  for (let j = 0; j < row.length; j++) row[j] = row[j]! / sum;
}
