// broadcast.ts on its own: concrete broadcast shapes and the per-element offsets, against
// numpy's rule applied coordinate by coordinate.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SolderError } from '../../ir/errors.js';
import { makeTensor, numel } from '../../ir/tensor.js';
import { broadcastBinary, broadcastOffsets, broadcastShape, mapUnary } from './broadcast.js';

const dims = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 });

/** A shape and another that broadcasts to it (a suffix, some dims set to 1). */
const pair = dims.chain((out) =>
  fc.tuple(fc.constant(out), fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }))
    .map(([o, drop, ones]) => [o, o.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d))] as const));

describe('broadcastOffsets', () => {
  it('reads, for each output coordinate, the operand element at that coordinate with broadcast axes at 0', () => {
    fc.assert(fc.property(pair, ([out, shape]) => {
      const offsets = broadcastOffsets(shape, out);
      expect(offsets.length).toBe(numel(out));
      for (let flat = 0; flat < offsets.length; flat++) {
        let rest = flat;
        const coord = out.map(() => 0);
        for (let d = out.length - 1; d >= 0; d--) {
          coord[d] = rest % out[d]!;
          rest = Math.floor(rest / out[d]!);
        }
        const lead = out.length - shape.length;
        const want = shape.reduce((off, d, j) => off * d + (d === 1 ? 0 : coord[lead + j]!), 0);
        expect(offsets[flat]).toBe(want);
      }
    }));
  });

  it('handles empty outputs', () => {
    expect(broadcastOffsets([1, 3], [0, 3]).length).toBe(0);
  });
});

describe('broadcastShape', () => {
  it('is the largest dim per aligned axis and symmetric', () => {
    fc.assert(fc.property(pair, ([out, shape]) => {
      expect(broadcastShape([shape, out])).toEqual(out);
      expect(broadcastShape([out, shape])).toEqual(out);
    }));
  });

  it('rejects incompatible shapes naming the node', () => {
    const node = { name: 'add_1', op: 'Add', domain: '', inputs: [], outputs: [], attrs: {} };
    expect(() => broadcastShape([[2, 3], [4, 3]], node)).toThrow(SolderError);
    expect(() => broadcastShape([[2, 3], [4, 3]], node)).toThrow("node 'add_1' (Add): cannot broadcast shapes [2, 3] and [4, 3]");
  });
});

describe('broadcastBinary and mapUnary', () => {
  it('store into the output dtype (bool outputs, integer wrapping)', () => {
    const a = makeTensor('int32', [2, 1], [1, 5]);
    const b = makeTensor('int32', [3], [0, 5, 9]);
    expect(Array.from(broadcastBinary(a, b, 'bool', (x, y) => Number(x < y)).data)).toEqual([0, 1, 1, 0, 0, 1]);
    expect(Array.from(mapUnary(makeTensor('int32', [2], [255, 256]), 'uint8', (x) => x + 1).data)).toEqual([0, 1]);
  });
});
