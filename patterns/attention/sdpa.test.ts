// attention/sdpa-split-scale (with attention/flattened-key-transpose in front): torch's sdpa
// decomposition fuses, and its NaN guard keeps its meaning: rows whose every key is masked
// give 0, proven away for HF's finite masks, zeroed after the fused node otherwise.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpret } from '../../backends/reference/interpreter.js';
import type { DType } from '../../ir/dtype.js';
import { makeTensor } from '../../ir/tensor.js';
import { attentionSizes } from '../../test/attention-sizes.js';
import { values } from '../../test/float64-onnx.js';
import { applyRules } from '../driver.js';
import { explainRule } from '../explain.js';
import { ATTENTION_RULES } from './index.js';
import { additiveMask, expectSameFunction, finfoMin, liveOps, randomFeeds } from './same-function.js';
import { sdpaSplitScale } from './sdpa.js';
import { type AttentionCase, type ClusterStyle, attentionCluster, inputShapes } from './test-graphs.js';

const CASE: AttentionCase = { batch: 2, heads: 4, group: 2, qSeq: 4, kvSeq: 4, headDim: 16, valueDim: 8 };
const SDPA: ClusterStyle = { key: 'flattened', scale: 'split', scaleValue: 0.3, masks: 1, guard: true };
const ops = (g: { nodes: readonly { op: string }[] }) => g.nodes.map((n) => n.op);

describe('attention/sdpa-split-scale', () => {
  it('fuses the dynamo decomposition: flattened kᵀ, repeat_kv, q and kᵀ scaled by sqrt(s) each', () => {
    const { graph, trace } = applyRules(attentionCluster(CASE, { ...SDPA, maskFromKeep: { dropped: finfoMin('float32') } }), ATTENTION_RULES);
    // HF's finite mask never masks a whole row, so the guard needs nothing after the fused node.
    expect(liveOps(graph)).toEqual(['Where', 'Attention']);
    const fused = graph.nodes.find((n) => n.op === 'Attention')!;
    expect(fused.inputs).toEqual(['q', 'k', 'v', 'mask']);
    expect(fused.attrs['scale']).toEqual({ kind: 'float', value: Math.fround(Math.sqrt(0.3)) ** 2 });
    expect(trace.applications.map((a) => a.rule)).toEqual(['attention/flattened-key-transpose', 'attention/sdpa-split-scale', 'attention/gqa-unrepeat-kv']);
  });

  it('zeroes fully masked rows after the fused node when the mask may hold -inf', () => {
    const source = attentionCluster({ ...CASE, group: 1 }, { ...SDPA, key: 'transpose' });
    const { graph } = applyRules(source, [sdpaSplitScale]);
    expect(ops(graph)).toEqual(['Attention', 'ReduceMax', 'IsInf', 'Where']);
    const shapes = inputShapes({ ...CASE, group: 1 }, SDPA);
    const feeds = randomFeeds(source, 'float32', 5, new Map([['mask', makeTensor('float32', shapes.get('mask')!, [0, 0, -Infinity, 0, -Infinity, -Infinity, -Infinity, -Infinity])]]));
    const out = interpret(graph, feeds).outputs.get(graph.outputs[0]!.name)!;
    // Batch 1 masks every key: the guard's 0, not Attention's NaN.
    expect(Array.from(out.data.subarray(out.data.length / 2))).toEqual(new Array(out.data.length / 2).fill(0));
    expect(out.data.subarray(0, out.data.length / 2).every((x) => Number.isFinite(x) && x !== 0)).toBe(true);
  });

  it('does not fuse when the guard fills NaN with something other than 0', () => {
    const source = attentionCluster(CASE, { ...SDPA, key: 'transpose' });
    const nanFill = source.initializers.get('nan_fill')!;
    const changed = { ...source, initializers: new Map(source.initializers).set('nan_fill', { ...nanFill, bytes: { read: () => new Uint8Array(new Float32Array([1]).buffer) } }) };
    const [e] = explainRule(changed, sdpaSplitScale, { node: 'pv' });
    expect(e).toMatchObject({ outcome: 'check-failed', check: 'nan-guard-fills-zero', node: 'nan_guard' });
    expect(e!.reason).toBe('found 1, expected 0');
  });
});

const caseArb = fc.record({
  ...attentionSizes({ batch: 3, kvHeads: 2, group: 3, qSeq: 9, kvSeq: 9, headDim: [8, 64], valueDim: 8 }),
  dtype: fc.constantFrom<DType>('float32', 'float32', 'float16'),
  key: fc.constantFrom('transpose' as const, 'view' as const, 'flattened' as const),
  masks: fc.constantFrom(0 as const, 1 as const),
  guard: fc.boolean(),
  mask: fc.constantFrom('input -inf', 'input finfo.min', 'where -inf', 'where finfo.min'),
  scaleValue: fc.double({ min: 0.05, max: 1.5, noNaN: true }),
  /** Mask every key of batch 0, where the guard's 0 and Attention's NaN differ. */
  maskBatch0: fc.boolean(),
  seed: fc.integer(),
});

describe('sdpa rules: the fused graph computes what the decomposition computes', () => {
  it('for random shapes, dtypes, keys, masks (some rows fully masked) and GQA (against float64)', () => {
    fc.assert(fc.property(caseArb, (r) => {
      const c: AttentionCase = { ...r, heads: r.kvHeads * r.group, group: r.key === 'view' ? 1 : r.group };
      const dropped = r.mask.endsWith('-inf') ? -Infinity : finfoMin(r.dtype);
      const s: ClusterStyle = { key: r.key, scale: 'split', scaleValue: r.scaleValue, masks: r.masks, guard: r.guard, ...(r.mask.startsWith('where') ? { maskFromKeep: { dropped } } : {}) };
      const source = attentionCluster(c, s, r.dtype);
      const { graph } = applyRules(source, ATTENTION_RULES);
      expect(graph.nodes.filter((n) => n.op === 'Attention')).toHaveLength(1);
      expect(ops(graph)).not.toContain('Softmax');
      const shapes = inputShapes(c, s);
      const special = new Map<string, ReturnType<typeof makeTensor>>();
      const batch0 = (i: number) => r.maskBatch0 && i < c.kvSeq;
      if (shapes.has('mask')) special.set('mask', makeTensor(r.dtype, shapes.get('mask')!, additiveMask(shapes.get('mask')!, r.seed, dropped).map((x, i) => (batch0(i) ? dropped : x))));
      if (shapes.has('keep')) special.set('keep', makeTensor('bool', shapes.get('keep')!, values(r.seed, c.batch * c.kvSeq).map((x, i) => (x > -1.2 && !batch0(i) ? 1 : 0))));
      expectSameFunction(attentionCluster(c, s, 'float64', r.dtype), graph, randomFeeds(source, r.dtype, r.seed, special), r.dtype);
    }), { numRuns: 60 });
  });
});
