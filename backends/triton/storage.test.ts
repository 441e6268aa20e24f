// The fast weight codecs give exactly what ir/tensor.ts gives, special values included.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeTensor, tensorFromBytes, tensorToBytes } from '../../ir/tensor.js';
import { decodeWeight, storageBytes, toStorage } from './storage.js';

// Ties, subnormals of both types, overflow to inf, NaN, signed zeros, and values past float16's range.
const SPECIAL = [0, -0, 1, -1, 65504, 65519.99, 65520, -65520, 1e-8, 5.96e-8, 2.98e-8, 6.1e-5, 1 + 2 ** -11, 1 + 3 * 2 ** -11,
  3.4e38, -3.4e38, 1e-40, Infinity, -Infinity, NaN, 0.1, 1 / 3, 2 ** -24, 2 ** -25, 1.5 * 2 ** -25];

const values = fc.array(fc.oneof(fc.double({ noNaN: false }), fc.float(), fc.constantFrom(...SPECIAL)), { minLength: 1, maxLength: 200 });
const same = (a: ArrayLike<number>, b: ArrayLike<number>) => expect(Array.from(a).map(String)).toEqual(Array.from(b).map(String));

describe('fast weight codecs', () => {
  it.each(['float16', 'bfloat16', 'float32'] as const)('toStorage(%s) rounds as makeTensor does', (dtype) => {
    fc.assert(fc.property(values, (vs) => {
      const source = makeTensor('float32', [vs.length], vs);
      same(toStorage(dtype, source).data, makeTensor(dtype, source.shape, source.data).data);
    }), { numRuns: 200 });
  });

  it.each(['float16', 'bfloat16', 'float32'] as const)('storageBytes(%s) and decodeWeight give tensorToBytes and tensorFromBytes', (dtype) => {
    fc.assert(fc.property(values, (vs) => {
      const t = makeTensor(dtype, [vs.length], vs);
      const bytes = storageBytes(t);
      expect(Buffer.compare(Buffer.from(bytes), Buffer.from(tensorToBytes(t)))).toBe(0);
      // at an odd offset inside a larger buffer, as an external-data read may hand it over
      const shifted = new Uint8Array(bytes.byteLength + 3).subarray(3);
      shifted.set(bytes);
      same(decodeWeight(dtype, t.shape, shifted).data, tensorFromBytes(dtype, t.shape, shifted).data);
    }), { numRuns: 200 });
  });

  it('covers every float16 bit pattern', () => {
    const bits = new Uint16Array(65536).map((_, i) => i);
    const bytes = new Uint8Array(bits.buffer);
    const fast = decodeWeight('float16', [65536], bytes);
    same(fast.data, tensorFromBytes('float16', [65536], bytes).data);
    same(toStorage('float16', { ...fast, dtype: 'float32' }).data, makeTensor('float16', [65536], fast.data).data);
  });
});
