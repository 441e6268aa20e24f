// torch's scaled_dot_product_attention as the ONNX exporters decompose it: q and kᵀ each
// scaled by sqrt(s) before the MatMul, the mask added after, and (dynamo) a Where(IsNaN)
// guard that turns fully masked rows into 0. emitAttention keeps that guard exact: it
// proves the mask never masks a whole row (HF's finfo.min masks) or zeroes such rows.
// Without a mask a softmax row is NaN only for non-finite inputs, and the guard is dropped.
import { decline, rule } from '../rule.js';
import { capture, constant, node, op } from '../pattern.js';
import { emitAttention } from './emit.js';
import { LOGITS_CHECKS, QKV_CHECKS, keyTransposed, outputLikeQ, plusMasks, probabilities, queryKey, scalarIfBound } from './parts.js';

// [Where(IsNaN(p), 0, p) of] p = Softmax((q * a)·(kᵀ * b) [+ mask]) @ v -> Attention(q, k, v, mask, scale=a*b)
export const sdpaSplitScale = rule({
  name: 'attention/sdpa-split-scale',
  root: 'MatMul',
  pattern: op('MatMul',
    probabilities(plusMasks(queryKey(
      op('Mul', capture('q'), constant('qScale')),
      op('Mul', keyTransposed(), constant('kScale'))))),
    capture('v')),
  checks: [...QKV_CHECKS, scalarIfBound('qScale'), scalarIfBound('kScale'), ...LOGITS_CHECKS, outputLikeQ()],
  rewrite: (m, ctx) => {
    const scale = m.scalar('qScale')! * m.scalar('kScale')!;
    if (!Number.isFinite(scale)) return decline(`the scale ${scale} is not finite`);
    return emitAttention(m, ctx, { scale });
  },
});
