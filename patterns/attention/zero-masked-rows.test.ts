// attention/zero-masked-rows: the row guard Where(ReduceMax(keep, [-1]), Attention(.., keep), 0)
// becomes the node's fully_masked_rows='zero', computing what the guard computed (fully
// masked rows 0, the others the attention) on random shapes, heads and keep-masks; and it
// declines whatever would change the result.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringAttr } from '../../ir/attrs.js';
import { GraphBuilder } from '../../ir/builder.js';
import type { DType } from '../../ir/dtype.js';
import { SOLDER_DOMAIN } from '../../ir/graph.js';
import { type Tensor, makeTensor } from '../../ir/tensor.js';
import { interpret } from '../../backends/reference/interpreter.js';
import { type AttentionSizes, attentionSizes } from '../../test/attention-sizes.js';
import { values } from '../../test/float64-onnx.js';
import { applyRules } from '../driver.js';
import { explainRule } from '../explain.js';
import { expectSameFunction, liveOps, randomFeeds } from './same-function.js';
import { zeroMaskedRows } from './zero-masked-rows.js';

interface GuardCase extends AttentionSizes {
  readonly scale: number;
  /** The keep-mask's shape: padding [b, 1, 1, kv], full [b, 1, q, kv], per head [b, h, q, kv], or [kv]. */
  readonly maskForm: 'padding' | 'full' | 'per-head' | 'keys';
  /** What the node gives fully masked rows before the guard: the guard replaces them either way. */
  readonly rows: 'nan' | 'average';
  /** ReduceMax's axes as an opset-18 input, or as the older attribute. */
  readonly axesAsInput: boolean;
  readonly causal?: boolean;
  readonly axis?: number;
  readonly keepdims?: number;
  readonly fill?: number;
}

function maskShape(c: GuardCase): number[] {
  const heads = c.kvHeads * c.group;
  return { padding: [c.batch, 1, 1, c.kvSeq], full: [c.batch, 1, c.qSeq, c.kvSeq], 'per-head': [c.batch, heads, c.qSeq, c.kvSeq], keys: [c.kvSeq] }[c.maskForm];
}

/** The guard as the ONNX Attention mapping wrote it after a solder::Attention. */
function guardedAttention(c: GuardCase, dtype: DType) {
  const b = new GraphBuilder('zero-rows');
  b.input('q', dtype, [c.batch, c.kvHeads * c.group, c.qSeq, c.headDim]);
  b.input('k', dtype, [c.batch, c.kvHeads, c.kvSeq, c.headDim]);
  b.input('v', dtype, [c.batch, c.kvHeads, c.kvSeq, c.valueDim]);
  const keep = b.input('keep', 'bool', maskShape(c));
  const attrs = { scale: c.scale, causal: c.causal === true ? 1 : 0, ...(c.rows === 'nan' ? {} : { fully_masked_rows: stringAttr(c.rows) }) };
  const [attn] = b.node('Attention', ['q', 'k', 'v', keep], attrs, { domain: SOLDER_DOMAIN, name: 'attn' });
  const axis = c.axis ?? -1;
  const [rowMax] = c.axesAsInput
    ? b.node('ReduceMax', [keep, b.initializer('last_axis', makeTensor('int64', [1], [axis]))], { keepdims: c.keepdims ?? 1 }, { name: 'row_max' })
    : b.node('ReduceMax', [keep], { axes: [axis], keepdims: c.keepdims ?? 1 }, { name: 'row_max' });
  const [out] = b.node('Where', [rowMax!, attn!, b.initializer('zero', makeTensor(dtype, [], [c.fill ?? 0]))], {}, { name: 'guard' });
  b.output(out!);
  return b;
}

/** A keep-mask dropping each key with probability about `drop`, and every key of the first mask row. */
function keepMask(c: GuardCase, seed: number, drop: number): Tensor {
  const shape = maskShape(c);
  const n = shape.reduce((a, x) => a * x, 1);
  return makeTensor('bool', shape, values(seed, n).map((r, i) => (i < c.kvSeq || (r + 2) / 4 < drop ? 0 : 1)));
}

const CASE: GuardCase = { batch: 2, kvHeads: 2, group: 2, qSeq: 3, kvSeq: 4, headDim: 8, valueDim: 8, scale: 0.3, maskForm: 'full', rows: 'nan', axesAsInput: true };

describe('attention/zero-masked-rows', () => {
  it("absorbs the guard: one Attention with fully_masked_rows='zero', whose fully masked rows are 0", () => {
    const source = guardedAttention(CASE, 'float32').build();
    const { graph } = applyRules(source, [zeroMaskedRows]);
    expect(liveOps(graph)).toEqual(['Attention']);
    const fused = graph.nodes.find((n) => n.op === 'Attention' && n.domain === SOLDER_DOMAIN)!;
    expect(fused.attrs.fully_masked_rows).toEqual({ kind: 'string', value: 'zero' });
    expect(fused.outputs).toEqual(source.outputs.map((o) => o.name));
    const feeds = randomFeeds(source, 'float32', 5, new Map([['keep', keepMask(CASE, 5, 0.3)]]));
    const out = interpret(graph, feeds).outputs.get(graph.outputs[0]!.name)!;
    // Batch 0's first query row masks every key: 0 in each head, finite values elsewhere.
    const rowSize = CASE.valueDim;
    expect(Array.from(out.data.subarray(0, rowSize))).toEqual(new Array<number>(rowSize).fill(0));
    expect(out.data.every(Number.isFinite) && out.data.some((x) => x !== 0)).toBe(true);
  });

  it('computes what the guarded cluster computes, for random shapes, GQA, keep-masks and fully masked rows (against float64)', () => {
    let maskedRowsSeen = 0;
    const arb = fc.record({
      ...attentionSizes({ batch: 3, kvHeads: 3, group: 3, qSeq: 7, kvSeq: 7, headDim: [4, 32], valueDim: [4, 32] }),
      scale: fc.double({ min: 0.05, max: 1.5, noNaN: true }),
      maskForm: fc.constantFrom('padding' as const, 'full' as const, 'per-head' as const, 'keys' as const),
      rows: fc.constantFrom('nan' as const, 'average' as const), axesAsInput: fc.boolean(),
      dtype: fc.constantFrom<DType>('float32', 'float16', 'float64'), seed: fc.integer(), drop: fc.double({ min: 0.1, max: 0.9, noNaN: true }),
    });
    fc.assert(fc.property(arb, (c) => {
      const source = guardedAttention(c, c.dtype).build();
      const { graph } = applyRules(source, [zeroMaskedRows]);
      expect(liveOps(graph)).toEqual(['Attention']);
      const keep = keepMask(c, c.seed, c.drop);
      const feeds = randomFeeds(source, c.dtype, c.seed, new Map([['keep', keep]]));
      const wholeRowsDropped = Array.from({ length: keep.data.length / c.kvSeq }, (_, r) => keep.data.subarray(r * c.kvSeq, (r + 1) * c.kvSeq).every((x) => x === 0));
      maskedRowsSeen += wholeRowsDropped.filter(Boolean).length;
      expectSameFunction(guardedAttention(c, 'float64').build(), graph, feeds, c.dtype);
    }), { numRuns: 80 });
    expect(maskedRowsSeen, 'fully masked rows seen').toBeGreaterThan(0);
  });

  it('declines a causal node: its band can mask every key a mask row keeps, which the guard lets through as NaN', () => {
    const [e] = explainRule(guardedAttention({ ...CASE, causal: true }, 'float32').build(), zeroMaskedRows);
    expect(e).toMatchObject({ outcome: 'declined', node: 'guard' });
    expect(e!.reason).toMatch(/causal/);
  });

  it('does not match a guard that reduces another axis, drops the axis, or fills something else', () => {
    const failed = (c: GuardCase) => explainRule(guardedAttention(c, 'float32').build(), zeroMaskedRows)[0];
    // Square sizes, so that the wrong reductions still broadcast against the output.
    const square = { ...CASE, batch: 1, qSeq: 8, kvSeq: 8, headDim: 8, valueDim: 8 };
    expect(failed({ ...square, axis: 2 })).toMatchObject({ outcome: 'check-failed', check: 'row-max-over-last-axis' });
    expect(failed({ ...square, axesAsInput: false, keepdims: 0 })).toMatchObject({ outcome: 'check-failed', check: 'row-max-over-last-axis' });
    expect(failed({ ...CASE, fill: -1 })).toMatchObject({ outcome: 'check-failed', check: 'fills-zero' });
  });

  it('keeps the guard when the unguarded attention is read elsewhere', () => {
    const b = guardedAttention(CASE, 'float32');
    b.output('attn_out0');
    const source = b.build();
    expect(source.outputs.map((o) => o.name)).toContain('attn_out0');
    expect(explainRule(source, zeroMaskedRows)[0]).toMatchObject({ outcome: 'check-failed', check: 'attn-single-use' });
  });
});
