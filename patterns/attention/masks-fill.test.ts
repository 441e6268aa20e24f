// The arithmetic masks-fill.ts rests on: a swamping fill absorbs every score below
// SCORE_BOUND in float64 and float32 (so a fully masked row is one repeated value), and
// weighs masked keys exactly 0 beside any kept score; finfo.min of float16 does neither.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SCORE_BOUND, swampsScores } from './masks-fill.js';
import { finfoMin } from './same-function.js';

const BFLOAT16_MIN = -3.3895313892515355e38;

/** Fills that swamp: HF's finfo.min of float32 / bfloat16 / float64, and any at or below -2^94. */
const swampingFill = fc.oneof(
  fc.constantFrom(finfoMin('float32'), BFLOAT16_MIN, finfoMin('float64'), -(2 ** 94)),
  fc.double({ min: -1e300, max: -(2 ** 94), noNaN: true }),
);
const score = fc.double({ min: -SCORE_BOUND, max: SCORE_BOUND, noNaN: true, maxExcluded: true, minExcluded: true });

describe('swampsScores', () => {
  it('absorbs every score below the bound, in float64 and (for float32 fills) in float32', () => {
    fc.assert(fc.property(swampingFill, score, score, (fill, s, kept) => {
      expect(swampsScores(fill)).toBe(true);
      expect(s + fill).toBe(fill);
      // Beside a kept score, the masked key weighs exactly 0.
      expect(Math.exp(s + fill - kept)).toBe(0);
      const f32 = Math.fround(fill);
      if (Number.isFinite(f32) && f32 === fill) expect(Math.fround(Math.fround(s) + f32)).toBe(f32);
    }), { numRuns: 2000 });
  });

  it('holds at the edges: just below 2^94 toward zero, and at float32 finfo.min with the largest scores', () => {
    const below = -(2 ** 94);
    expect(below + (SCORE_BOUND - 1)).toBe(below);
    expect(below - (SCORE_BOUND - 1)).toBe(below);
    expect(Math.fround(finfoMin('float32') - Math.fround(SCORE_BOUND - 1))).toBe(finfoMin('float32'));
  });

  it('rejects -inf, float16 finfo.min, old HF fills and anything that keeps scores apart', () => {
    for (const fill of [-Infinity, finfoMin('float16'), -1e4, -1e9, -(2 ** 93), Number.NaN, 0]) expect(swampsScores(fill), String(fill)).toBe(false);
    // Why float16's -65504 cannot be trusted: scores survive the addition in float64.
    expect(20 + finfoMin('float16')).not.toBe(finfoMin('float16'));
  });
});
