// ONNX's own Attention (opset 23: torch.export's sdpa, or users' files) onto solder's, when
// its attributes fit: 4-D inputs, no KV cache, no softcap, only the first output read.
// Two semantic differences are handled, not ignored: ONNX aligns causal upper-left and
// solder bottom-right (they agree when q_seq == kv_seq, which is required), and ONNX gives
// 0 for a row whose every key is masked, solder NaN by default: a bool mask says so with
// fully_masked_rows='zero'; an additive one is proven to mask no whole row, or such rows
// are zeroed after the fused node.
import { stringAttr } from '../../ir/attrs.js';
import { isKnown } from '../../ir/dim.js';
import { SOLDER_DOMAIN } from '../../ir/graph.js';
import { dimOf, dimsEqual, rankIs } from '../checks.js';
import { capture, maybe, node, op } from '../pattern.js';
import { type Match, check, decline, rule } from '../rule.js';
import type { GraphView } from '../working-graph.js';
import { attentionAttrs } from './emit.js';
import { maskCoverage, zeroFullyMaskedRows } from './masks.js';

const attrsOf = (m: Match, g: GraphView) => g.attrValues(m.node('attn'));
const causal = (m: Match, g: GraphView) => attrsOf(m, g)['is_causal'] === 1;

// Attention(q, k, v, mask?) [onnx] -> Attention(q, k, v, mask?, scale, causal) [solder]
export const onnxAttention = rule({
  name: 'attention/onnx-attention',
  root: 'Attention',
  pattern: node('attn', op('Attention', capture('q'), capture('k'), capture('v'), maybe(capture('mask')))),
  checks: [
    rankIs('q', 4), rankIs('k', 4), rankIs('v', 4),
    check('no-softcap', 'attn', (m, g) => attrsOf(m, g)['softcap'] === 0 || { found: attrsOf(m, g)['softcap'], expected: 0 }),
    check('only-output-0-read', 'attn', (m, g) => {
      const used = m.root.outputs.slice(1).filter((v) => v !== '' && (g.consumers(v).length > 0 || g.isGraphOutput(v)));
      return used.length === 0 || { found: `${used.join(', ')} read`, expected: 'present_key, present_value and qk_matmul_output unused' };
    }),
    // ONNX's causal band is upper-left, solder's bottom-right: the same only for square scores.
    check('causal-needs-q-seq-equal-kv-seq', 'attn', (m, g) => !causal(m, g) || dimsEqual('', ['q', 2], ['k', 2]).test(m, g)),
    check('mask-covers-every-key', 'mask', (m, g) => {
      if (!m.has('mask')) return true;
      const shape = g.typeOf(m.value('mask'))?.shape;
      // ONNX pads a mask shorter than kv_seq with -inf; solder would broadcast it.
      if (shape === undefined || shape.length === 0 || shape.length > 4) return { found: shape?.length ?? 'unknown rank', expected: 'rank 1..4' };
      return dimsEqual('', ['mask', -1], ['k', 2]).test(m, g);
    }),
    check('mask-bool-or-q-dtype', 'mask', (m, g) => {
      if (!m.has('mask')) return true;
      const [dm, dq] = [g.typeOf(m.value('mask'))?.dtype, g.typeOf(m.value('q'))?.dtype];
      return dm === 'bool' || dm === dq || { found: dm ?? 'unknown', expected: `bool or ${dq}` };
    }),
  ],
  rewrite: (m, ctx) => {
    const attrs = attrsOf(m, ctx);
    const headDim = dimOf(m, ctx, 'q', -1);
    const scale = typeof attrs['scale'] === 'number' ? attrs['scale'] : headDim !== undefined && isKnown(headDim) ? 1 / Math.sqrt(headDim) : undefined;
    if (scale === undefined) return decline('no scale attribute and an unknown head_dim, so the default 1/sqrt(head_dim) is unknown');
    const mask = m.has('mask') ? m.value('mask') : undefined;
    const coverage = mask === undefined ? 'never-masks' : maskCoverage(ctx, mask);
    const inputs = [m.value('q'), m.value('k'), m.value('v'), ...(mask === undefined ? [] : [mask])];
    const out = m.root.outputs[0]!;
    // A bool keep-mask fixes which rows are fully masked, causal band included: ONNX's 0 there is 'zero'.
    if (coverage !== 'never-masks' && ctx.typeOf(mask!)?.dtype === 'bool') {
      const attrs = { ...attentionAttrs(scale, causal(m, ctx)), fully_masked_rows: stringAttr('zero') };
      return { nodes: [{ op: 'Attention', domain: SOLDER_DOMAIN, inputs, outputs: [out], attrs }], replaces: [out] };
    }
    if (causal(m, ctx) && coverage !== 'never-masks') {
      return decline('is_causal with an additive mask that may mask a whole causal row: ONNX gives 0 there, solder NaN');
    }
    const fused = coverage === 'unknown' ? ctx.fresh('attention') : out;
    const attention = { op: 'Attention', domain: SOLDER_DOMAIN, inputs, outputs: [fused], attrs: attentionAttrs(scale, causal(m, ctx)) };
    return {
      nodes: [attention, ...(coverage === 'unknown' ? zeroFullyMaskedRows(ctx, mask!, fused, out, ctx.typeOf(m.value('q'))!.dtype) : [])],
      replaces: [out],
    };
  },
});
