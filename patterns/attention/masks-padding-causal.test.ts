// attention/padding-causal-mask: HF's mask subgraphs become a [batch, 1, 1, kv] keep-mask
// from attention_mask (+ causal=1), computing what the whole cluster computed for every
// batch, length and padding, including left padding and fully padded rows (NaN with -inf or
// bool masks, before and after; the average of v over every key with finfo.min, which the
// causal rewrite keeps with fully_masked_rows='average').
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

function fullyMaskedRowsOf(graph: Graph): string | undefined {
  const a = attentionOf(graph).attrs.fully_masked_rows;
  return a?.kind === 'string' ? a.value : undefined;
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
    expect(fullyMaskedRowsOf(plain)).toBeUndefined();
    // Causal under finfo.min with padding: a keep-mask, causal, and fully padded rows averaged.
    for (const spelling of ['gathernd', 'flat-gather'] as const) {
      const hf = rewrite(hfMaskedAttention({ heads: 4, group: 2, headDim: 4, causal: true, fill: FINFO_MIN, spelling }, 'float32'));
      expect(maskChain(hf)).toEqual(['Unsqueeze', 'Cast']);
      expect(attentionOf(hf).attrs.causal?.value).toBe(1);
      expect(fullyMaskedRowsOf(hf)).toBe('average');
      expect(liveOps(hf)).toEqual(['Cast', 'Unsqueeze', 'Attention']);
    }
  });

  it('computes what the mask cluster computed, for random sizes and paddings (against float64)', () => {
    const sized = fc.record({ batch: fc.integer({ min: 1, max: 3 }), seq: fc.integer({ min: 1, max: 6 }) })
      .chain(({ batch, seq }) => fc.tuple(fc.constant(batch), fc.constant(seq), fc.array(paddingArb(seq), { minLength: batch, maxLength: batch })));
    let averagedRows = 0;
    fc.assert(fc.property(caseArb, sized, fc.integer({ min: 1, max: 1000 }), (c, [batch, seq, rows], seed) => {
      const source = hfMaskedAttention(c, 'float32');
      const { graph: fused, trace } = applyRules(source, [paddingCausalMask]);
      expect(Object.fromEntries(ruleCounts(trace))).toEqual({ 'attention/padding-causal-mask': 1 });
      expect(attentionOf(fused).attrs.causal?.value).toBe(c.causal ? 1 : 0);
      const averaged = c.causal && c.fill === FINFO_MIN;
      expect(fullyMaskedRowsOf(fused)).toBe(averaged ? 'average' : undefined);
      if (averaged) averagedRows += rows.filter((row) => row[0] === 0).length;
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
    // Rows whose first key is padding are fully masked at query 0 under the causal band.
    expect(averagedRows, 'cases with a fully masked row under finfo.min').toBeGreaterThan(0);
  });

  it("keeps HF's uniform row for a fully padded row under finfo.min and the NaN under -inf", () => {
    const feeds = (v: number[], am: number[]) => new Map([
      ['q', makeTensor('float32', [1, 4, 3, 2], values(3, 24))],
      ['k', makeTensor('float32', [1, 4, 3, 2], values(4, 24))],
      ['v', makeTensor('float32', [1, 4, 3, 2], v)],
      ['attention_mask', makeTensor('int64', [1, 3], am)],
    ]);
    const v = values(5, 24);
    const c: MaskCase = { heads: 4, group: 1, headDim: 2, causal: true, fill: FINFO_MIN, spelling: 'gathernd' };
    const fused = rewrite(hfMaskedAttention(c, 'float32'));
    expect(fullyMaskedRowsOf(fused)).toBe('average');
    const mean = (h: number, d: number) => (v[h * 6 + d]! + v[h * 6 + 2 + d]! + v[h * 6 + 4 + d]!) / 3;
    // Left padding: query 0 sees only key 0, which is padding: HF averages all three keys of v.
    const left = interpret(fused, feeds(v, [0, 1, 1])).outputs.values().next().value!;
    // An all-zero attention_mask row: every query averages every key.
    const empty = interpret(fused, feeds(v, [0, 0, 0])).outputs.values().next().value!;
    for (let h = 0; h < 4; h++) {
      for (let d = 0; d < 2; d++) {
        expect(left.data[h * 6 + d]).toBeCloseTo(mean(h, d), 6);
        for (let i = 0; i < 3; i++) expect(empty.data[h * 6 + i * 2 + d]).toBeCloseTo(mean(h, d), 6);
      }
    }
    const nan = interpret(rewrite(hfMaskedAttention({ ...c, fill: -Infinity }, 'float32')), feeds(v, [0, 1, 1])).outputs.values().next().value!;
    expect(Number.isNaN(nan.data[0]!)).toBe(true);
    expect(Number.isNaN(nan.data[2]!)).toBe(false);
  });

  it('leaves masks it cannot prove as they are', () => {
    // A fill of -1e4 (old HF) still weighs masked keys: the causal band cannot become -inf.
    const soft = rewrite(hfMaskedAttention({ heads: 4, group: 1, headDim: 4, causal: true, fill: -1e4, spelling: 'gathernd' }, 'float32'));
    expect(liveOps(soft)).toContain('GatherND');
    expect(attentionOf(soft).attrs.causal?.value).toBe(0);
    // float16's finfo.min (-65504) does not swamp scores: its fully padded rows are no plain average.
    const half = rewrite(hfMaskedAttention({ heads: 4, group: 1, headDim: 4, causal: true, fill: finfoMin('float16'), spelling: 'gathernd' }, 'float16'));
    expect(liveOps(half)).toContain('GatherND');
    expect(attentionOf(half).attrs.causal?.value).toBe(0);
    expect(fullyMaskedRowsOf(half)).toBeUndefined();
    // Keys at or after the query is a band, but not the causal one.
    const reversed = rewrite(hfMaskedAttention({ heads: 4, group: 1, headDim: 4, causal: true, fill: 'bool', spelling: 'flat-gather', reversedBand: true }, 'float32'));
    expect(liveOps(reversed)).toContain('LessOrEqual');
    expect(attentionOf(reversed).attrs.causal?.value).toBe(0);
  });
});
