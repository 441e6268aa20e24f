// Random attention problems for the property tests of the Attention kernel and of the rules
// that fuse into it: the sizes, as fast-check arbitraries within a test's bounds, and q, k, v
// feeds of those sizes.
import fc from 'fast-check';
import type { DType } from '../ir/dtype.js';
import { type Tensor, makeTensor, numel } from '../ir/tensor.js';
import { values } from './float64-onnx.js';

export interface AttentionSizes {
  readonly batch: number;
  readonly kvHeads: number;
  /** Query heads per kv head: q has kvHeads · group heads (GQA when above 1). */
  readonly group: number;
  readonly qSeq: number;
  readonly kvSeq: number;
  readonly headDim: number;
  readonly valueDim: number;
}

type SizeBounds = { readonly [K in keyof AttentionSizes]: number | readonly [min: number, max: number] };

/**
 * An arbitrary per size, from 1 to its bound (or within [min, max]), in one fixed order:
 * spread into a test's fc.record next to its own fields.
 */
export function attentionSizes(bounds: SizeBounds): { [K in keyof AttentionSizes]: fc.Arbitrary<number> } {
  const size = (b: SizeBounds[keyof AttentionSizes]) => (typeof b === 'number' ? fc.integer({ min: 1, max: b }) : fc.integer({ min: b[0], max: b[1] }));
  return {
    batch: size(bounds.batch),
    kvHeads: size(bounds.kvHeads),
    group: size(bounds.group),
    qSeq: size(bounds.qSeq),
    kvSeq: size(bounds.kvSeq),
    headDim: size(bounds.headDim),
    valueDim: size(bounds.valueDim),
  };
}

/** q [b, kvHeads·group, qSeq, headDim], k [b, kvHeads, kvSeq, headDim], v [b, kvHeads, kvSeq, valueDim]: seeded, never all zero. */
export function randomQkv(s: AttentionSizes, dtype: DType, seed: number): { q: Tensor; k: Tensor; v: Tensor } {
  const random = (shape: number[], at: number) => makeTensor(dtype, shape, values(at, numel(shape)));
  return {
    q: random([s.batch, s.kvHeads * s.group, s.qSeq, s.headDim], seed),
    k: random([s.batch, s.kvHeads, s.kvSeq, s.headDim], seed + 1),
    v: random([s.batch, s.kvHeads, s.kvSeq, s.valueDim], seed + 2),
  };
}
