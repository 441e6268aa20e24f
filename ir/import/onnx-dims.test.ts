// dim_param parsing: what export writes (a dim's expr) parses back to the same dim.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Dim, dimAdd, dimMul, dimSub, sym } from '../dim.js';
import { MAX_PARAM_LENGTH, parseDimParam } from './onnx-dims.js';

const leaf: fc.Arbitrary<Dim> = fc.oneof(
  fc.integer({ min: -5, max: 64 }),
  fc.constantFrom('batch', 'seq', 's0', 's41', 'unk__10').map(sym),
);
const dim: fc.Arbitrary<Dim> = fc.letrec<{ d: Dim }>((tie) => ({
  d: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(tie('d'), tie('d')).map(([a, b]) => dimAdd(a, b)),
    fc.tuple(tie('d'), tie('d')).map(([a, b]) => dimSub(a, b)),
    fc.tuple(tie('d'), tie('d')).map(([a, b]) => dimMul(a, b)),
  ),
})).d;

describe('parseDimParam', () => {
  it('parses every symbolic dim expression back to the same dim', () => {
    fc.assert(fc.property(dim, (d) => {
      if (typeof d === 'number') return;
      // Longer texts are kept opaque on purpose (the test below); the round trip is for the rest.
      if (d.expr.length > MAX_PARAM_LENGTH) return;
      expect(parseDimParam(d.expr)).toEqual(d);
    }), { numRuns: 500 });
  });

  it('reads the forms exporters write', () => {
    expect(parseDimParam('batch*seq')).toEqual(dimMul(sym('batch'), sym('seq')));
    expect(parseDimParam('seq * batch')).toEqual(dimMul(sym('batch'), sym('seq')));
    expect(parseDimParam('s0 + 1')).toEqual(dimAdd(sym('s0'), 1));
    expect(parseDimParam('2*(s0 - 1)')).toEqual(dimSub(dimMul(sym('s0'), 2), 2));
    expect(parseDimParam('Mulout_0_dim_1')).toEqual(sym('Mulout_0_dim_1'));
    expect(parseDimParam('7')).toBe(7);
  });

  it('keeps what it cannot read as one opaque symbol', () => {
    for (const text of ['s0//2', 'floor(s0/2)', 's0 +', '(s0', 'batch seq', 'a'.repeat(300)]) {
      expect(parseDimParam(text)).toEqual(sym(text));
    }
  });

  it('does not expand products of many sums', () => {
    const text = Array.from({ length: 12 }, (_, i) => `(a${i} + b${i})`).join('*');
    expect(parseDimParam(text)).toEqual(sym(text));
  });
});
