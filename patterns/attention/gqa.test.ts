// attention/gqa-unrepeat-kv: repeat_kv copies in front of solder::Attention go, and the
// fused node reads kv head floor(i / group) for q head i, as the copies did.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../ir/builder.js';
import type { DType } from '../../ir/dtype.js';
import { SOLDER_DOMAIN } from '../../ir/graph.js';
import { makeTensor } from '../../ir/tensor.js';
import { applyRules } from '../driver.js';
import { explainRule } from '../explain.js';
import { groupedQueryAttention } from './gqa.js';
import { expectSameFunction, liveOps, randomFeeds } from './same-function.js';

interface GqaCase {
  readonly batch: number;
  readonly kvHeads: number;
  readonly group: number;
  readonly seq: number;
  readonly headDim: number;
  readonly causal: boolean;
  readonly scale: number;
  /** Which axis the Unsqueeze inserts (2 is repeat_kv; 1 interleaves heads differently). */
  readonly axis?: number;
}

/** Attention(q, repeat_kv(k), repeat_kv(v)) with the repeats written as HF exports them. */
function repeatedAttention(c: GqaCase, dtype: DType) {
  const b = new GraphBuilder('gqa');
  const heads = c.kvHeads * c.group;
  b.input('q', dtype, [c.batch, heads, c.seq, c.headDim]);
  const repeat = (x: string) => {
    b.input(x, dtype, [c.batch, c.kvHeads, c.seq, c.headDim]);
    const axis = c.axis ?? 2;
    const [u] = b.node('Unsqueeze', [x, b.initializer(`${x}_axes`, makeTensor('int64', [1], [axis]))], {}, { name: `${x}_unsqueeze` });
    const to = axis === 2 ? [c.batch, c.kvHeads, c.group, c.seq, c.headDim] : [c.batch, c.group, c.kvHeads, c.seq, c.headDim];
    const [e] = b.node('Expand', [u!, b.initializer(`${x}_to`, makeTensor('int64', [5], to))], {}, { name: `${x}_expand` });
    return b.node('Reshape', [e!, b.initializer(`${x}_merged`, makeTensor('int64', [4], [c.batch, heads, c.seq, c.headDim]))], {}, { name: `${x}_repeat` })[0]!;
  };
  const [out] = b.node('Attention', ['q', repeat('k'), repeat('v')], { scale: c.scale, causal: c.causal ? 1 : 0 }, { name: 'attn', domain: SOLDER_DOMAIN });
  b.output(out!);
  return b.build();
}

const CASE: GqaCase = { batch: 2, kvHeads: 2, group: 3, seq: 4, headDim: 8, causal: true, scale: 0.35 };

describe('attention/gqa-unrepeat-kv', () => {
  it('reads the kv heads directly, keeping scale and causal', () => {
    const { graph } = applyRules(repeatedAttention(CASE, 'float32'), [groupedQueryAttention]);
    expect(liveOps(graph)).toEqual(['Attention']);
    const fused = graph.nodes.find((n) => n.op === 'Attention')!;
    expect(fused.inputs).toEqual(['q', 'k', 'v']);
    expect(fused.attrs['causal']).toEqual({ kind: 'int', value: 1 });
    expect(fused.origins).toEqual(['k_unsqueeze', 'k_expand', 'k_repeat', 'v_unsqueeze', 'v_expand', 'v_repeat', 'attn']);
  });

  it('does not fuse copies that interleave heads another way (Unsqueeze at axis 1)', () => {
    const source = repeatedAttention({ ...CASE, axis: 1 }, 'float32');
    const [e] = explainRule(source, groupedQueryAttention);
    expect(e).toMatchObject({ outcome: 'check-failed', check: 'k-repeat-kv-layout', node: 'k_repeat' });
    expect(e!.reason).toBe('found Unsqueeze axes [1], expected axes [2]');
  });

  it('computes what the repeated heads computed, for random shapes (against float64)', () => {
    const arb = fc.record({
      batch: fc.integer({ min: 1, max: 3 }), kvHeads: fc.integer({ min: 1, max: 3 }), group: fc.integer({ min: 1, max: 4 }),
      seq: fc.integer({ min: 1, max: 9 }), headDim: fc.integer({ min: 8, max: 64 }), causal: fc.boolean(),
      scale: fc.double({ min: 0.05, max: 1.5, noNaN: true }), dtype: fc.constantFrom<DType>('float32', 'float16'), seed: fc.integer(),
    });
    fc.assert(fc.property(arb, (c) => {
      const source = repeatedAttention(c, c.dtype);
      const { graph } = applyRules(source, [groupedQueryAttention]);
      expect(liveOps(graph)).toEqual(['Attention']);
      expectSameFunction(repeatedAttention(c, 'float64'), graph, randomFeeds(source, c.dtype, c.seed), c.dtype);
    }), { numRuns: 40 });
  });
});
