// attention/flattened-key-transpose: sdpa's flatten-transpose-unflatten of k is kᵀ, read
// from computed Reshape targets; a chain that reshapes to anything else is left alone.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../ir/builder.js';
import type { DType } from '../../ir/dtype.js';
import { makeTensor } from '../../ir/tensor.js';
import { applyRules } from '../driver.js';
import { explainRule } from '../explain.js';
import { flattenedKeyTranspose } from './key-transpose.js';
import { expectSameFunction, liveOps, randomFeeds } from './same-function.js';

/** Reshape(Transpose(Reshape(k, [-1, s, d]), [0,2,1]), Shape(k)[:-2] ++ [d] ++ Shape(k)[-2:-1]), or a wrong last target. */
function flattenedTranspose(dims: readonly number[], dtype: DType, wrongOrder = false) {
  const b = new GraphBuilder('flattened-key');
  b.input('k', dtype, ['batch', dims[1]!, 'seq', dims[3]!]);
  const int64 = (name: string, v: number[]) => b.initializer(name, makeTensor('int64', [v.length], v));
  const [shape] = b.node('Shape', ['k'], {}, { name: 'k_shape' });
  const [seq] = b.node('Slice', [shape!, int64('m2', [-2]), int64('m1', [-1])], {}, { name: 'k_seq' });
  const [lead] = b.node('Slice', [shape!, int64('lo', [-9223372036854775808]), int64('m2b', [-2])], {}, { name: 'k_lead' });
  const d = int64('d', [dims[3]!]);
  const [flatShape] = b.node('Concat', [int64('m1b', [-1]), seq!, d], { axis: 0 }, { name: 'flat_shape' });
  const [flat] = b.node('Reshape', ['k', flatShape!], {}, { name: 'k_flat' });
  const [t] = b.node('Transpose', [flat!], { perm: [0, 2, 1] }, { name: 'k_flat_t' });
  const [back] = b.node('Concat', wrongOrder ? [lead!, seq!, d] : [lead!, d, seq!], { axis: 0 }, { name: 'unflat_shape' });
  const [out] = b.node('Reshape', [t!, back!], {}, { name: 'k_unflat' });
  return b.output(out!).build();
}

describe('attention/flattened-key-transpose', () => {
  it('becomes one Transpose of the last two axes', () => {
    const { graph } = applyRules(flattenedTranspose([2, 4, 5, 16], 'float32'), [flattenedKeyTranspose]);
    expect(liveOps(graph)).toEqual(['Transpose']);
    expect(graph.nodes.find((n) => n.op === 'Transpose')!.attrs['perm']).toEqual({ kind: 'ints', value: [0, 1, 3, 2] });
  });

  it('leaves a chain alone whose last Reshape is not the transposed shape', () => {
    const [, e] = explainRule(flattenedTranspose([2, 4, 5, 16], 'float32', true), flattenedKeyTranspose);
    expect(e).toMatchObject({ outcome: 'check-failed', check: 'unflatten-splits-them-back', node: 'k_unflat' });
    expect(e!.reason).toBe("'k_unflat' dim 2 is not the wanted one");
  });

  it('computes what the chain computes, for random shapes', () => {
    const arb = fc.record({ batch: fc.integer({ min: 1, max: 3 }), heads: fc.integer({ min: 1, max: 4 }), seq: fc.integer({ min: 1, max: 9 }), headDim: fc.integer({ min: 8, max: 64 }), seed: fc.integer() });
    fc.assert(fc.property(arb, (c) => {
      const dims = [c.batch, c.heads, c.seq, c.headDim];
      const source = flattenedTranspose(dims, 'float32');
      const { graph } = applyRules(source, [flattenedKeyTranspose]);
      expect(liveOps(graph)).toEqual(['Transpose']);
      const feeds = randomFeeds(source, 'float32', c.seed, new Map([['k', makeTensor('float32', dims, Array.from({ length: dims.reduce((a, b) => a * b) }, (_, i) => i + 1))]]));
      expectSameFunction(flattenedTranspose(dims, 'float64'), graph, feeds, 'float32');
    }), { numRuns: 30 });
  });
});
