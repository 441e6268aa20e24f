// Concrete tensors: what initializers decode to and what the interpreter computes on.
// Every dtype is held in a number-valued typed array so that kernels share one code path:
// float16/bfloat16 hold float32 values already rounded to the storage type, and
// int64/uint64 hold float64 values (exact up to 2^53, which covers every index, shape and
// token id solder meets; larger magnitudes are documented as unsupported).
import { type DType, byteSize } from './dtype.js';
import { SolderError } from './errors.js';
import { bf16BitsToFloat, f16BitsToFloat, floatToBf16Bits, floatToF16Bits, roundToBf16, roundToF16 } from './half.js';

export type TensorData =
  | Float32Array | Float64Array | Int32Array | Int16Array | Int8Array
  | Uint32Array | Uint16Array | Uint8Array;

export interface Tensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TensorData;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Arrays of `rows` rows each, laid side by side: row r of `out` is row r of every part in
 * turn (concatenation along the last axis; widths count elements of the arrays given, bytes
 * for byte arrays). Block copies; `set` converts values when out's element type differs.
 */
export function joinRows<T extends TensorData>(parts: readonly TensorData[], widths: readonly number[], rows: number, out: T): T {
  const total = widths.reduce((a, b) => a + b, 0);
  for (let r = 0; r < rows; r++) {
    let at = r * total;
    parts.forEach((part, i) => {
      const w = widths[i]!;
      out.set(part.subarray(r * w, (r + 1) * w), at);
      at += w;
    });
  }
  return out;
}

/** A zero-filled array of the storage class used for dtype. */
export function allocData(dtype: DType, length: number): TensorData {
  switch (dtype) {
    case 'float32': case 'float16': case 'bfloat16': return new Float32Array(length);
    case 'float64': case 'int64': case 'uint64': return new Float64Array(length);
    case 'int32': return new Int32Array(length);
    case 'int16': return new Int16Array(length);
    case 'int8': return new Int8Array(length);
    case 'uint32': return new Uint32Array(length);
    case 'uint16': return new Uint16Array(length);
    case 'uint8': case 'bool': return new Uint8Array(length);
    case 'string': throw new SolderError('string tensors are not supported');
  }
}

export function makeTensor(dtype: DType, shape: readonly number[], values?: ArrayLike<number>): Tensor {
  const data = allocData(dtype, numel(shape));
  if (values !== undefined) {
    if (values.length !== data.length) {
      throw new Error(`makeTensor: ${values.length} values for shape [${shape.join(', ')}]`);
    }
    data.set(values);
    roundInPlace(dtype, data);
  }
  return { dtype, shape: [...shape], data };
}

/** Rounds values to what dtype can store (float16/bfloat16 rounding, integer truncation, bool). */
export function roundInPlace(dtype: DType, data: TensorData): void {
  switch (dtype) {
    case 'float16': for (let i = 0; i < data.length; i++) data[i] = roundToF16(data[i] as number); return;
    case 'bfloat16': for (let i = 0; i < data.length; i++) data[i] = roundToBf16(data[i] as number); return;
    case 'int64': case 'uint64': for (let i = 0; i < data.length; i++) data[i] = Math.trunc(data[i] as number); return;
    case 'bool': for (let i = 0; i < data.length; i++) data[i] = data[i] ? 1 : 0; return;
    default: return;
  }
}

/** Decodes little-endian storage bytes (ONNX raw_data, safetensors, torch raw tensors). */
export function tensorFromBytes(dtype: DType, shape: readonly number[], bytes: Uint8Array): Tensor {
  const n = numel(shape);
  const need = n * byteSize(dtype);
  if (bytes.byteLength !== need) {
    throw new SolderError(`tensor of ${dtype}[${shape.join(', ')}] needs ${need} bytes, found ${bytes.byteLength}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const data = allocData(dtype, n);
  for (let i = 0; i < n; i++) data[i] = readElement(view, dtype, i);
  return { dtype, shape: [...shape], data };
}

/** Encodes a tensor to little-endian storage bytes. */
export function tensorToBytes(t: Tensor): Uint8Array {
  const size = byteSize(t.dtype);
  const out = new Uint8Array(t.data.length * size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < t.data.length; i++) writeElement(view, t.dtype, i, t.data[i] as number);
  return out;
}

function readElement(view: DataView, dtype: DType, i: number): number {
  switch (dtype) {
    case 'float32': return view.getFloat32(i * 4, true);
    case 'float64': return view.getFloat64(i * 8, true);
    case 'float16': return f16BitsToFloat(view.getUint16(i * 2, true));
    case 'bfloat16': return bf16BitsToFloat(view.getUint16(i * 2, true));
    case 'int64': return Number(view.getBigInt64(i * 8, true));
    case 'uint64': return Number(view.getBigUint64(i * 8, true));
    case 'int32': return view.getInt32(i * 4, true);
    case 'uint32': return view.getUint32(i * 4, true);
    case 'int16': return view.getInt16(i * 2, true);
    case 'uint16': return view.getUint16(i * 2, true);
    case 'int8': return view.getInt8(i);
    case 'uint8': return view.getUint8(i);
    case 'bool': return view.getUint8(i) !== 0 ? 1 : 0;
    case 'string': throw new SolderError('string tensors are not supported');
  }
}

function writeElement(view: DataView, dtype: DType, i: number, v: number): void {
  switch (dtype) {
    case 'float32': view.setFloat32(i * 4, v, true); return;
    case 'float64': view.setFloat64(i * 8, v, true); return;
    case 'float16': view.setUint16(i * 2, floatToF16Bits(v), true); return;
    case 'bfloat16': view.setUint16(i * 2, floatToBf16Bits(v), true); return;
    case 'int64': view.setBigInt64(i * 8, toInt64(v, INT64_MIN, INT64_MAX), true); return;
    case 'uint64': view.setBigUint64(i * 8, toInt64(v, 0n, UINT64_MAX), true); return;
    case 'int32': view.setInt32(i * 4, v, true); return;
    case 'uint32': view.setUint32(i * 4, v, true); return;
    case 'int16': view.setInt16(i * 2, v, true); return;
    case 'uint16': view.setUint16(i * 2, v, true); return;
    case 'int8': view.setInt8(i, v); return;
    case 'uint8': view.setUint8(i, v); return;
    case 'bool': view.setUint8(i, v !== 0 ? 1 : 0); return;
    case 'string': throw new SolderError('string tensors are not supported');
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

// int64 values are held as doubles: INT64_MAX reads back as 2^63, which must saturate, not wrap.
function toInt64(v: number, min: bigint, max: bigint): bigint {
  if (Number.isNaN(v)) return 0n;
  if (v === Infinity) return max;
  if (v === -Infinity) return min;
  const b = BigInt(Math.trunc(v));
  return b > max ? max : b < min ? min : b;
}
