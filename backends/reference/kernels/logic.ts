// Reference kernels: boolean logic, comparisons, and bitwise ops on integers.
import type { DType } from '../../../ir/dtype.js';
import * as ops from '../../../ir/ops/elementwise.js';
import { shiftDirection } from '../../../ir/ops/logic.js';
import { binaryKernel } from './binary.js';

const toBool = () => 'bool' as const;
const plain = (fn: (a: number, b: number) => number) => () => fn;

binaryKernel(ops.And, plain((a, b) => (a !== 0 && b !== 0 ? 1 : 0)));
binaryKernel(ops.Or, plain((a, b) => (a !== 0 || b !== 0 ? 1 : 0)));
binaryKernel(ops.Xor, plain((a, b) => ((a !== 0) !== (b !== 0) ? 1 : 0)));

binaryKernel(ops.Equal, plain((a, b) => (a === b ? 1 : 0)), toBool);
binaryKernel(ops.Less, plain((a, b) => (a < b ? 1 : 0)), toBool);
binaryKernel(ops.LessOrEqual, plain((a, b) => (a <= b ? 1 : 0)), toBool);
binaryKernel(ops.Greater, plain((a, b) => (a > b ? 1 : 0)), toBool);
binaryKernel(ops.GreaterOrEqual, plain((a, b) => (a >= b ? 1 : 0)), toBool);

type BitOp = (a: bigint, b: bigint) => bigint;

/**
 * A bitwise op on values of dtype: JS int32 bit ops for up to 32 bits (the store wraps the
 * result back to the dtype's width), BigInt for the 64-bit ones.
 */
function bitwise(dtype: DType, small: (a: number, b: number) => number, big: BitOp) {
  if (dtype === 'int64') return (a: number, b: number) => Number(BigInt.asIntN(64, big(BigInt(a), BigInt(b))));
  if (dtype === 'uint64') return (a: number, b: number) => Number(BigInt.asUintN(64, big(BigInt(a), BigInt(b))));
  return small;
}

binaryKernel(ops.BitwiseAnd, (_a, _n, dtype) => bitwise(dtype, (a, b) => a & b, (a, b) => a & b));
binaryKernel(ops.BitwiseOr, (_a, _n, dtype) => bitwise(dtype, (a, b) => a | b, (a, b) => a | b));
binaryKernel(ops.BitwiseXor, (_a, _n, dtype) => bitwise(dtype, (a, b) => a ^ b, (a, b) => a ^ b));

const BITS: Partial<Record<DType, number>> = { uint8: 8, uint16: 16, uint32: 32, uint64: 64 };

binaryKernel(ops.BitShift, ({ direction }, node, dtype) => {
  const bits = BITS[dtype] ?? 64;
  const left = shiftDirection(node, direction) === 'LEFT';
  // Shifting by the width or more clears every bit (JS would take the count mod 32).
  if (dtype === 'uint64') {
    return left
      ? (a, b) => (b >= 64 ? 0 : Number(BigInt.asUintN(64, BigInt(a) << BigInt(b))))
      : (a, b) => (b >= 64 ? 0 : Number(BigInt(a) >> BigInt(b)));
  }
  return left ? (a, b) => (b >= bits ? 0 : (a << b) >>> 0) : (a, b) => (b >= bits ? 0 : a >>> b);
});
