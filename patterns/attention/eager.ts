// Eager attention as HF writes it and every exporter keeps it: the scale applied to the
// scores (Mul by s, Div by d, or none for T5), then the additive mask terms.
import { decline, rule } from '../rule.js';
import { constant, capture, node, op, opt } from '../pattern.js';
import { emitAttention } from './emit.js';
import { LOGITS_CHECKS, QKV_CHECKS, outputLikeQ, plusMasks, probabilities, queryKey, scalarIfBound } from './parts.js';

/** The scale a Mul by s or a Div by d applies. */
function scaleOf(op: string, value: number): number {
  return op === 'Div' ? 1 / value : value;
}

// Softmax(q·kᵀ [* s | / d] [+ bias] [+ mask]) @ v -> Attention(q, k, v, bias + mask, scale=s | 1/d | 1)
export const eagerAttention = rule({
  name: 'attention/eager',
  root: 'MatMul',
  pattern: op('MatMul',
    probabilities(plusMasks(opt(node('scaleOp', op(['Mul', 'Div'], queryKey(), constant('scale')))))),
    capture('v')),
  checks: [...QKV_CHECKS, scalarIfBound('scale'), ...LOGITS_CHECKS, outputLikeQ()],
  rewrite: (m, ctx) => {
    const scale = m.has('scaleOp') ? scaleOf(m.node('scaleOp').op, m.scalar('scale')!) : 1;
    if (!Number.isFinite(scale)) return decline(`the scale ${scale} is not finite (a Div by zero?)`);
    return emitAttention(m, ctx, { scale });
  },
});

// Softmax((q·kᵀ + mask) * s | / d) @ v -> Attention(q, k, v, mask * s | mask / d, scale=s | 1/d)
export const eagerMaskBeforeScale = rule({
  name: 'attention/eager-mask-before-scale',
  root: 'MatMul',
  pattern: op('MatMul',
    probabilities(node('scaleOp', op(['Mul', 'Div'], node('maskAdd', op('Add', queryKey(), capture('mask'))), constant('scale')))),
    capture('v')),
  checks: [...QKV_CHECKS, scalarIfBound('scale'), ...LOGITS_CHECKS, outputLikeQ()],
  rewrite: (m, ctx) => {
    const op = m.node('scaleOp').op === 'Div' ? 'Div' : 'Mul';
    const scale = scaleOf(op, m.scalar('scale')!);
    if (!Number.isFinite(scale)) return decline(`the scale ${scale} is not finite (a Div by zero?)`);
    // The graph scales the mask too; the fused node adds it after scaling, so it gets the same op.
    return emitAttention(m, ctx, { scale, maskScaledBy: { op, constant: m.value('scale') } });
  },
});
