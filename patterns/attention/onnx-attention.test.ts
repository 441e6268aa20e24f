// attention/onnx-attention: ONNX's opset-23 Attention becomes solder::Attention with the
// same results, fully masked rows (0 in ONNX) and causal alignment included.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../ir/builder.js';
import type { DType } from '../../ir/dtype.js';
import { makeTensor, type Tensor } from '../../ir/tensor.js';
import { values } from '../../test/float64-onnx.js';
import { applyRules } from '../driver.js';
import { explainRule } from '../explain.js';
import { onnxAttention } from './onnx-attention.js';
import { roundAs } from './test-graphs.js';
import { additiveMask, expectSameFunction, liveOps, randomFeeds } from './same-function.js';

interface OnnxCase {
  readonly batch: number;
  readonly heads: number;
  readonly qSeq: number;
  readonly kvSeq: number;
  readonly headDim: number;
  readonly causal: boolean;
  /** undefined: the default 1/sqrt(head_dim). */
  readonly scale?: number;
  readonly mask: 'none' | 'bool input' | 'float input' | 'float constant';
  readonly softcap?: number;
}

const maskShape = (c: OnnxCase) => [c.batch, 1, c.qSeq, c.kvSeq];

function onnxAttentionGraph(c: OnnxCase, dtype: DType, seed = 1, constantsAs: DType = dtype): GraphBuilder {
  const b = new GraphBuilder('onnx-attention');
  b.input('q', dtype, [c.batch, c.heads, c.qSeq, c.headDim]);
  b.input('k', dtype, [c.batch, c.heads, c.kvSeq, c.headDim]);
  b.input('v', dtype, [c.batch, c.heads, c.kvSeq, c.headDim]);
  let mask = '';
  if (c.mask === 'bool input') mask = b.input('mask', 'bool', maskShape(c));
  if (c.mask === 'float input') mask = b.input('mask', dtype, maskShape(c));
  if (c.mask === 'float constant') mask = b.initializer('mask', makeTensor(dtype, maskShape(c), additiveMask(maskShape(c), seed, -1e4).map((x) => roundAs(constantsAs, x))));
  const attrs = { is_causal: c.causal ? 1 : 0, ...(c.scale === undefined ? {} : { scale: c.scale }), ...(c.softcap === undefined ? {} : { softcap: c.softcap }) };
  const [y] = b.node('Attention', ['q', 'k', 'v', mask], attrs, { name: 'attn' });
  b.output(y!);
  return b;
}

const CASE: OnnxCase = { batch: 2, heads: 2, qSeq: 3, kvSeq: 3, headDim: 8, causal: false, scale: 0.2, mask: 'bool input' };

describe('attention/onnx-attention', () => {
  it("maps a bool-masked Attention with fully_masked_rows='zero': rows whose every key is masked are 0, as in ONNX", () => {
    for (const causal of [false, true]) {
      const source = onnxAttentionGraph({ ...CASE, causal }, 'float32').build();
      const { graph } = applyRules(source, [onnxAttention]);
      expect(liveOps(graph)).toEqual(['Attention']);
      const fused = graph.nodes.find((n) => n.op === 'Attention')!;
      expect(fused.domain).toBe('solder');
      expect(fused.attrs).toEqual({ scale: { kind: 'float', value: 0.2 }, causal: { kind: 'int', value: causal ? 1 : 0 }, fully_masked_rows: { kind: 'string', value: 'zero' } });
    }
  });

  it('zeroes the fully masked rows of an additive mask after the fused node', () => {
    const { graph } = applyRules(onnxAttentionGraph({ ...CASE, mask: 'float input' }, 'float32').build(), [onnxAttention]);
    expect(liveOps(graph)).toEqual(['Attention', 'ReduceMax', 'IsInf', 'Where']);
  });

  it('needs no row fix-up when the mask is a finite constant, and uses 1/sqrt(head_dim) by default', () => {
    const { graph } = applyRules(onnxAttentionGraph({ ...CASE, mask: 'float constant', scale: undefined }, 'float32').build(), [onnxAttention]);
    expect(liveOps(graph)).toEqual(['Attention']);
    expect(graph.nodes[0]!.attrs['scale']).toEqual({ kind: 'float', value: 1 / Math.sqrt(8) });
  });

  it('does not map causal attention over non-square scores (ONNX aligns it upper-left, solder bottom-right)', () => {
    const source = onnxAttentionGraph({ ...CASE, causal: true, mask: 'none', kvSeq: 5 }, 'float32').build();
    const [e] = explainRule(source, onnxAttention);
    expect(e).toMatchObject({ outcome: 'check-failed', check: 'causal-needs-q-seq-equal-kv-seq', node: 'attn' });
    expect(e!.reason).toBe('found 3 vs 5, expected equal dims');
  });

  it('does not map a softcap, nor causal attention with an additive mask that may mask whole rows', () => {
    const [softcap] = explainRule(onnxAttentionGraph({ ...CASE, softcap: 30 }, 'float32').build(), onnxAttention);
    expect(softcap).toMatchObject({ outcome: 'check-failed', check: 'no-softcap' });
    const [causal] = explainRule(onnxAttentionGraph({ ...CASE, causal: true, mask: 'float input' }, 'float32').build(), onnxAttention);
    expect(causal).toMatchObject({ outcome: 'declined' });
    expect(causal!.reason).toMatch(/is_causal with an additive mask that may mask a whole causal row/);
  });

  it('computes what ONNX Attention computes, for random shapes and masks (against float64)', () => {
    const arb = fc.record({
      batch: fc.integer({ min: 1, max: 3 }), heads: fc.integer({ min: 1, max: 3 }), qSeq: fc.integer({ min: 1, max: 9 }),
      kvSeq: fc.integer({ min: 1, max: 9 }), headDim: fc.integer({ min: 8, max: 64 }), causal: fc.boolean(),
      scale: fc.option(fc.double({ min: 0.05, max: 1.5, noNaN: true }), { nil: undefined }),
      mask: fc.constantFrom('none' as const, 'bool input' as const, 'float input' as const, 'float constant' as const),
      dtype: fc.constantFrom<DType>('float32', 'float16'), seed: fc.integer(),
    }).map((c) => (c.causal ? { ...c, kvSeq: c.qSeq, mask: c.mask === 'float input' ? ('none' as const) : c.mask } : c));
    fc.assert(fc.property(arb, (c) => {
      const source = onnxAttentionGraph(c, c.dtype, c.seed).build();
      const { graph } = applyRules(source, [onnxAttention]);
      expect(graph.nodes.filter((n) => n.op === 'Attention' && n.domain === 'solder')).toHaveLength(1);
      // Masks that drop keys, and the whole of batch 0's first query row (where ONNX gives 0).
      const drop = (i: number, r: number) => (i < c.kvSeq) || r < -1.2;
      const special = new Map<string, Tensor>();
      const n = c.batch * c.qSeq * c.kvSeq;
      if (c.mask === 'bool input') special.set('mask', makeTensor('bool', maskShape(c), values(c.seed, n).map((r, i) => (drop(i, r) ? 0 : 1))));
      if (c.mask === 'float input') special.set('mask', makeTensor(c.dtype, maskShape(c), values(c.seed, n).map((r, i) => (drop(i, r) ? -Infinity : r / 2))));
      expectSameFunction(onnxAttentionGraph(c, 'float64', c.seed, c.dtype).build(), graph, randomFeeds(source, c.dtype, c.seed, special), c.dtype);
    }), { numRuns: 60 });
  });
});
