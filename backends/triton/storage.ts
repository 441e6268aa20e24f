// Fast paths for the plan's weight bytes. ir/tensor.ts decodes and encodes one element at a
// time through a DataView and rounds float16 through f16BitsToFloat's arithmetic: fine for
// a model of a few MB, minutes for a 7B model's weights. These give the same values and bytes
// (storage.test.ts compares them with ir/tensor.ts) with typed-array copies, a 65536-entry
// table for float16 values, and one bit conversion per element.
import * as os from 'node:os';
import type { DType } from '../../ir/dtype.js';
import { bf16BitsToFloat, f16BitsToFloat, floatToBf16Bits, floatToF16Bits } from '../../ir/half.js';
import { type Tensor, makeTensor, numel, tensorFromBytes, tensorToBytes } from '../../ir/tensor.js';

const LITTLE_ENDIAN = os.endianness() === 'LE';

let f16Values: Float32Array | undefined;
/** The float value of every float16 bit pattern. */
function f16Table(): Float32Array {
  if (f16Values === undefined) {
    f16Values = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) f16Values[bits] = f16BitsToFloat(bits);
  }
  return f16Values;
}

/** tensorFromBytes, without the per-element DataView reads for float32 and float16. */
export function decodeWeight(dtype: DType, shape: readonly number[], bytes: Uint8Array): Tensor {
  if (!LITTLE_ENDIAN || bytes.byteLength !== numel(shape) * (dtype === 'float32' ? 4 : 2)) return tensorFromBytes(dtype, shape, bytes);
  if (dtype === 'float32') return { dtype, shape: [...shape], data: new Float32Array(alignedCopy(bytes)) };
  if (dtype === 'float16') {
    const bits = new Uint16Array(alignedCopy(bytes));
    const table = f16Table();
    const data = new Float32Array(bits.length);
    for (let i = 0; i < bits.length; i++) data[i] = table[bits[i]!]!;
    return { dtype, shape: [...shape], data };
  }
  return tensorFromBytes(dtype, shape, bytes);
}

// A fresh ArrayBuffer holding the bytes (a Buffer's may be a shared pool, at any offset).
function alignedCopy(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

/** makeTensor(dtype, t.shape, t.data): the values rounded to what dtype stores. */
export function toStorage(dtype: DType, t: Tensor): Tensor {
  if (dtype !== 'float16' && dtype !== 'bfloat16') return makeTensor(dtype, t.shape, t.data);
  const data = new Float32Array(t.data.length);
  if (dtype === 'float16') {
    const table = f16Table();
    for (let i = 0; i < data.length; i++) data[i] = table[floatToF16Bits(t.data[i]!)]!;
  } else {
    for (let i = 0; i < data.length; i++) data[i] = bf16BitsToFloat(floatToBf16Bits(t.data[i]!));
  }
  return { dtype, shape: [...t.shape], data };
}

/** tensorToBytes, with typed-array copies for float32 and one bit conversion per float16/bfloat16 element. */
export function storageBytes(t: Tensor): Uint8Array {
  if (!LITTLE_ENDIAN) return tensorToBytes(t);
  if (t.dtype === 'float32' && t.data instanceof Float32Array) return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  if (t.dtype === 'float16' || t.dtype === 'bfloat16') {
    const bits = new Uint16Array(t.data.length);
    const convert = t.dtype === 'float16' ? floatToF16Bits : floatToBf16Bits;
    for (let i = 0; i < bits.length; i++) bits[i] = convert(t.data[i]!);
    return new Uint8Array(bits.buffer);
  }
  return tensorToBytes(t);
}
