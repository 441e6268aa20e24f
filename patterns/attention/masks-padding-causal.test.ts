// attention/padding-causal-mask: HF's mask subgraphs become a [batch, 1, 1, kv] keep-mask
// from attention_mask (+ causal=1), computing what the whole cluster computed for every
// batch, length and padding, including left padding and fully padded rows (NaN with -inf or
// bool masks, before and after). A causal finfo.min mask with padding is left as written: its
// fully padded rows average every key, which causal=1 cannot express.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpret } from '../../backends/reference/interpreter.js';
import type { Graph } from '../../ir/graph.js';
import { makeTensor } from '../../ir/tensor.js';
import { values } from '../../test/float64-onnx.js';
import { applyRules } from '../driver.js';
import { ruleCounts } from '../trace.js';
import { paddingCausalMask } from './masks-padding-causal.js';
import { type MaskCase, hfMaskedAttention } from './masks-test-graphs.js';
import { TOLERANCE, asFloat64, finfoMin, liveOps } from './same-function.js';
import { mismatch } from '../../test/float64-onnx.js';

const FINFO_MIN = finfoMin('float32');

function rewrite(graph: Graph): Graph {
  return applyRules(graph, [paddingCausalMask]).graph;
}

function attentionOf(graph: Graph) {
  return graph.nodes.find((n) => n.op === 'Attention')!;
}

/** The ops from attention_mask to the Attention's mask input, nearest first. */
function maskChain(graph: Graph): string[] {
  const byOutput = new Map(graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const chain: string[] = [];
  for (let v = attentionOf(graph).inputs[3]; v !== undefined && v !== 'attention_mask';) {
    const n = byOutput.get(v);
    if (n === undefined) break;
    chain.push(n.op);
    v = n.inputs[0];
  }
  return chain;
}

const caseArb: fc.Arbitrary<MaskCase> = fc.record({
  heads: fc.constant(4),
  group: fc.constantFrom(1, 2),
  headDim: fc.constantFrom(2, 4),
  causal: fc.boolean(),
  fill: fc.constantFrom<'bool' | number>('bool', FINFO_MIN, -Infinity),
  spelling: fc.constantFrom<'gathernd' | 'flat-gather'>('gathernd', 'flat-gather'),
});

/** Rows of attention_mask: right or left padded, fully padded, or scattered; nonzero is not only 1. */
const paddingArb = (seq: number) => fc.oneof(
  fc.integer({ min: 0, max: seq }).map((n) => Array.from({ length: seq }, (_, j) => (j < n ? 1 : 0))),
  fc.integer({ min: 0, max: seq }).map((n) => Array.from({ length: seq }, (_, j) => (j >= n ? 1 : 0))),
  fc.array(fc.constantFrom(0, 0, 1, 2, -3), { minLength: seq, maxLength: seq }),
);

describe('attention/padding-causal-mask', () => {
  it('rewrites every spelling to Unsqueeze(Cast(attention_mask)) [+ Where], causal when banded', () => {
    for (const spelling of ['gathernd', 'flat-gather'] as const) {
      for (const fill of ['bool', -Infinity] as const) {
        const out = rewrite(hfMaskedAttention({ heads: 4, group: 2, headDim: 4, causal: true, fill, spelling }, 'float32'));
        expect(maskChain(out)).toEqual(fill === 'bool' ? ['Unsqueeze', 'Cast'] : ['Where', 'Unsqueeze', 'Cast']);
        expect(attentionOf(out).attrs.causal?.value).toBe(1);
        expect(liveOps(out)).not.toContain('GatherND');
      }
    }
    const plain = rewrite(hfMaskedAttention({ heads: 4, group: 1, headDim: 4, causal: false, fill: FINFO_MIN, spelling: 'gathernd' }, 'float32'));
    expect(attentionOf(plain).attrs.causal?.value).toBe(0);
    // Padding alone: the [b, 1, 1, kv] mask holds the very same values.
    expect(liveOps(plain)).toEqual(['Cast', 'Unsqueeze', 'Where', 'Attention']);
    // Causal under finfo.min with padding: kept as written.
    const kept = rewrite(hfMaskedAttention({ heads: 4, group: 1, headDim: 4, causal: true, fill: FINFO_MIN, spelling: 'gathernd' }, 'float32'));
    expect(attentionOf(kept).attrs.causal?.value).toBe(0);
    expect(liveOps(kept)).toContain('GatherND');
  });

  it('computes what the mask cluster computed, for random sizes and paddings (against float64)', () => {
    const sized = fc.record({ batch: fc.integer({ min: 1, max: 3 }), seq: fc.integer({ min: 1, max: 6 }) })
      .chain(({ batch, seq }) => fc.tuple(fc.constant(batch), fc.constant(seq), fc.array(paddingArb(seq), { minLength: batch, maxLength: batch })));
    fc.assert(fc.property(caseArb, sized, fc.integer({ min: 1, max: 1000 }), (c, [batch, seq, rows], seed) => {
      const source = hfMaskedAttention(c, 'float32');
      const { graph: fused, trace } = applyRules(source, [paddingCausalMask]);
      const declined = c.causal && c.fill === FINFO_MIN;
      expect(Object.fromEntries(ruleCounts(trace))).toEqual(declined ? {} : { 'attention/padding-causal-mask': 1 });
      expect(attentionOf(fused).attrs.causal?.value).toBe(c.causal && !declined ? 1 : 0);
      const kvHeads = c.heads / c.group;
      const feeds = new Map([
        ['q', makeTensor('float32', [batch, c.heads, seq, c.headDim], values(seed, batch * c.heads * seq * c.headDim))],
        ['k', makeTensor('float32', [batch, kvHeads, seq, c.headDim], values(seed + 1, batch * kvHeads * seq * c.headDim))],
        ['v', makeTensor('float32', [batch, kvHeads, seq, c.headDim], values(seed + 2, batch * kvHeads * seq * c.headDim))],
        ['attention_mask', makeTensor('int64', [batch, seq], rows.flat())],
      ]);
      const want = interpret(hfMaskedAttention(c, 'float64'), asFloat64(feeds)).outputs.values().next().value!;
      const got = interpret(fused, feeds).outputs.values().next().value!;
      expect(got.shape).toEqual(want.shape);
      const tol = TOLERANCE.float32!;
      expect(mismatch(got.data, want.data, tol.rtol, tol.atol)).toBeUndefined();
    }), { numRuns: 120 });
  });

  it('keeps HF\'s uniform row for a fully padded row under finfo.min (by leaving it) and the NaN under -inf', () => {
    const feeds = (v: number[]) => new Map([
      ['q', makeTensor('float32', [1, 4, 3, 2], values(3, 24))],
      ['k', makeTensor('float32', [1, 4, 3, 2], values(4, 24))],
      ['v', makeTensor('float32', [1, 4, 3, 2], v)],
      ['attention_mask', makeTensor('int64', [1, 3], [0, 1, 1])],
    ]);
    const v = values(5, 24);
    const c: MaskCase = { heads: 4, group: 1, headDim: 2, causal: true, fill: FINFO_MIN, spelling: 'gathernd' };
    const out = interpret(rewrite(hfMaskedAttention(c, 'float32')), feeds(v)).outputs.values().next().value!;
    // Query 0 sees only key 0, which is padding: HF averages all three keys of v.
    for (let h = 0; h < 4; h++) {
      for (let d = 0; d < 2; d++) {
        const mean = (v[h * 6 + d]! + v[h * 6 + 2 + d]! + v[h * 6 + 4 + d]!) / 3;
        expect(out.data[h * 6 + d]).toBeCloseTo(mean, 5);
      }
    }
    const nan = interpret(rewrite(hfMaskedAttention({ ...c, fill: -Infinity }, 'float32')), feeds(v)).outputs.values().next().value!;
    expect(Number.isNaN(nan.data[0]!)).toBe(true);
    expect(Number.isNaN(nan.data[2]!)).toBe(false);
  });

  it('leaves masks it cannot prove as they are', () => {
    // A fill of -1e4 (old HF) still weighs masked keys: the causal band cannot become -inf.
    const soft = rewrite(hfMaskedAttention({ heads: 4, group: 1, headDim: 4, causal: true, fill: -1e4, spelling: 'gathernd' }, 'float32'));
    expect(liveOps(soft)).toContain('GatherND');
    expect(attentionOf(soft).attrs.causal?.value).toBe(0);
    // Keys at or after the query is a band, but not the causal one.
    const reversed = rewrite(hfMaskedAttention({ heads: 4, group: 1, headDim: 4, causal: true, fill: 'bool', spelling: 'flat-gather', reversedBand: true }, 'float32'));
    expect(liveOps(reversed)).toContain('LessOrEqual');
    expect(attentionOf(reversed).attrs.causal?.value).toBe(0);
  });
});
