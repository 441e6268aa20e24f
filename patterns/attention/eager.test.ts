// attention/eager and attention/eager-mask-before-scale: every way exporters write the
// scale, kᵀ and the masks fuses into one Attention computing the same function.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DType } from '../../ir/dtype.js';
import { makeTensor } from '../../ir/tensor.js';
import { attentionSizes } from '../../test/attention-sizes.js';
import { applyRules } from '../driver.js';
import { explainRule } from '../explain.js';
import { eagerAttention, eagerMaskBeforeScale } from './eager.js';
import { ATTENTION_RULES } from './index.js';
import { additiveMask, expectSameFunction, finfoMin, randomFeeds } from './same-function.js';
import { type AttentionCase, type ClusterStyle, attentionCluster, inputShapes } from './test-graphs.js';

const CASE: AttentionCase = { batch: 2, heads: 4, group: 1, qSeq: 3, kvSeq: 5, headDim: 16, valueDim: 8 };
const ops = (g: { nodes: readonly { op: string }[] }) => g.nodes.map((n) => n.op);

describe('attention/eager', () => {
  it('fuses Div-scaled scores with a pre-transposed key view, capturing the scale from the graph', () => {
    const source = attentionCluster(CASE, { key: 'view', scale: 'div', scaleValue: 0.3, masks: 1 });
    const { graph, trace } = applyRules(source, [eagerAttention]);
    expect(ops(graph)).toEqual(['Transpose', 'Attention']);
    const fused = graph.nodes[1]!;
    expect(fused.inputs).toEqual(['q', graph.nodes[0]!.outputs[0], 'v', 'mask']);
    // Div by the stored float32 divisor d: scale = 1/d, whatever head_dim is.
    expect(fused.attrs['scale']).toEqual({ kind: 'float', value: 1 / Math.fround(1 / 0.3) });
    expect(graph.nodes[0]!.attrs['perm']).toEqual({ kind: 'ints', value: [0, 2, 1, 3] });
    expect(fused.origins).toEqual(['k_t', 'qk', 'scale_op', 'mask_add', 'softmax', 'pv']);
    expect(trace.applications.map((a) => a.rule)).toEqual(['attention/eager']);
  });

  it('fuses T5: no scale (scale 1) and the position bias added before the mask', () => {
    const { graph } = applyRules(attentionCluster(CASE, { key: 'transpose', scale: 'none', scaleValue: 1, masks: 2 }), [eagerAttention]);
    expect(ops(graph)).toEqual(['Add', 'Attention']);
    expect(graph.nodes[0]!.inputs).toEqual(['bias', 'mask']);
    expect(graph.nodes[1]!.attrs['scale']).toEqual({ kind: 'float', value: 1 });
  });

  it('does not fuse a scale that is not one value, and explain says so', () => {
    const source = attentionCluster(CASE, { key: 'transpose', scale: 'mul', scaleValue: 0.25, masks: 1, scaleShape: [1, 4, 1, 1] });
    const [e] = explainRule(source, eagerAttention, { node: 'pv' });
    expect(e).toMatchObject({ outcome: 'check-failed', check: 'scale-is-scalar', node: 'scale_op' });
    expect(e!.reason).toBe('found shape [1, 4, 1, 1], expected a single value');
    expect(applyRules(source, ATTENTION_RULES).graph.nodes).toHaveLength(source.nodes.length);
  });

  it('does not fuse a mask that would grow the scores', () => {
    const source = attentionCluster({ ...CASE, heads: 1 }, { key: 'transpose', scale: 'mul', scaleValue: 0.25, masks: 1, maskShape: [2, 3, 3, 5] });
    const [e] = explainRule(source, eagerAttention, { node: 'pv' });
    expect(e).toMatchObject({ outcome: 'check-failed', check: 'masks-fit-scores', node: 'qk' });
    expect(e!.reason).toBe('found [2, 3, 3, 5], expected [2, 1, 3, 5]');
  });
});

describe('attention/eager-mask-before-scale', () => {
  it('scales the mask the way the graph did', () => {
    const { graph } = applyRules(attentionCluster(CASE, { key: 'transpose', scale: 'mask-then-div', scaleValue: 0.125, masks: 1 }), [eagerMaskBeforeScale]);
    expect(ops(graph)).toEqual(['Div', 'Attention']);
    expect(graph.nodes[0]!.inputs).toEqual(['mask', 'scale']);
    expect(graph.nodes[1]!.attrs['scale']).toEqual({ kind: 'float', value: 0.125 });
  });

  it('is not the plain eager rule: that one names the Add it found in place of q·kᵀ', () => {
    const source = attentionCluster(CASE, { key: 'transpose', scale: 'mask-then-mul', scaleValue: 0.125, masks: 1 });
    const [e] = explainRule(source, eagerAttention, { node: 'pv' });
    expect(e!.outcome).toBe('no-match');
    expect(e!.message).toMatch(/expected MatMul, found (Add|Mul)/);
  });
});

const styleArb: fc.Arbitrary<ClusterStyle> = fc.record({
  key: fc.constantFrom('transpose' as const, 'view' as const),
  scale: fc.constantFrom('mul' as const, 'div' as const, 'none' as const, 'mask-then-mul' as const, 'mask-then-div' as const),
  scaleValue: fc.double({ min: 0.05, max: 1.5, noNaN: true }),
  masks: fc.constantFrom(0 as const, 1 as const, 2 as const),
  upcast: fc.boolean(),
}).map((s) => (s.scale.startsWith('mask-then') ? { ...s, masks: 1 as const } : s));

const caseArb = fc.record({
  ...attentionSizes({ batch: 3, kvHeads: 2, group: 2, qSeq: 9, kvSeq: 9, headDim: [8, 64], valueDim: 8 }),
  dtype: fc.constantFrom<DType>('float32', 'float32', 'float16'),
  seed: fc.integer(),
});

describe('eager rules: the fused graph computes what the cluster computes', () => {
  it('for random shapes, dtypes, scales, masks and GQA (against float64)', () => {
    fc.assert(fc.property(caseArb, styleArb, (r, style) => {
      const c: AttentionCase = { ...r, heads: r.kvHeads * r.group, group: style.key === 'view' ? 1 : r.group };
      const s = { ...style, upcast: style.upcast && r.dtype === 'float16' };
      const source = attentionCluster(c, s, r.dtype);
      const { graph } = applyRules(source, ATTENTION_RULES);
      expect(graph.nodes.filter((n) => n.op === 'Attention')).toHaveLength(1);
      expect(ops(graph)).not.toContain('Softmax');
      const shapes = inputShapes(c, s);
      // HF's finfo.min, or -inf where the rule adds bias + mask itself (finfo.min + bias would round differently).
      // A mask scaled after it is added must leave headroom: finfo.min times a scale above 1
      // overflows to -inf in the storage dtype but not in the float64 reference.
      const dropped = s.scale.startsWith('mask-then') ? finfoMin(r.dtype) / 4 : finfoMin(r.dtype);
      const drop = { mask: s.masks === 2 ? -Infinity : dropped, bias: 0 };
      const masks = new Map((['mask', 'bias'] as const).filter((n) => shapes.has(n)).map((n, i) =>
        [n, makeTensor(r.dtype, shapes.get(n)!, additiveMask(shapes.get(n)!, r.seed + i, drop[n]))]));
      expectSameFunction(attentionCluster(c, s, 'float64', r.dtype), graph, randomFeeds(source, r.dtype, r.seed, masks), r.dtype);
    }), { numRuns: 60 });
  });
});
