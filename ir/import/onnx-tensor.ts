// ONNX TensorProto -> initializers (lazy bytes) and attribute tensors (decoded values).
// Every size is checked against the data actually present before anything is allocated:
// a file that claims a [2^40] tensor with 4 bytes of data is an error, not an allocation.
import type { onnx as P } from 'onnx-proto';
import { type DType, byteSize, dtypeFromOnnx } from '../dtype.js';
import { SolderError } from '../errors.js';
import { type Initializer, type LazyBytes, bytesInMemory } from '../graph.js';
import { type Tensor, tensorFromBytes } from '../tensor.js';
import type { ExternalData } from './onnx-external.js';
import { type Int64, has, int64ToNumber } from './onnx-proto.js';

const EXTERNAL = 1;

/** An initializer whose bytes stay where they are (inside the model buffer or the external file). */
export function initializerOf(t: P.ITensorProto, external: ExternalData): Initializer {
  const name = t.name ?? '';
  const { dtype, shape, bytes, origin } = locate(t, name, external);
  return { name, dtype, shape, bytes, origin, ...(t.docString ? { docString: t.docString } : {}) };
}

/** The values of a tensor held in an attribute (a Constant's value), decoded now. */
export function tensorOf(t: P.ITensorProto, external: ExternalData, what: string): Tensor {
  const { dtype, shape, bytes } = locate(t, what, external);
  return tensorFromBytes(dtype, shape, bytes.read());
}

function locate(t: P.ITensorProto, name: string, external: ExternalData) {
  const code = t.dataType ?? 0;
  const dtype = dtypeFromOnnx(code);
  if (dtype === undefined || dtype === 'string') {
    throw new SolderError(`tensor '${name}' has element type ${code}, which solder does not support`);
  }
  if (t.segment) throw new SolderError(`tensor '${name}' is segmented, which solder does not support`);
  const shape = (t.dims ?? []).map((d) => int64ToNumber(d, `tensor '${name}': dim`));
  const count = elementCount(shape, name);
  const byteLength = count * byteSize(dtype);
  if (!Number.isSafeInteger(byteLength)) throw new SolderError(`tensor '${name}' of shape [${shape.join(', ')}] is too large`);

  if (t.dataLocation === EXTERNAL) {
    const entries = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
    const { ref, bytes } = external.lazyBytes(name, entries, byteLength);
    return { dtype, shape, bytes, origin: { kind: 'external' as const, location: ref.location } };
  }
  const bytes = has(t, 'rawData') ? rawBytes(t.rawData ?? new Uint8Array(0), byteLength, name) : typedFieldBytes(t, dtype, count, name);
  return { dtype, shape, bytes, origin: { kind: 'inline' as const } };
}

function elementCount(shape: readonly number[], name: string): number {
  let n = 1;
  for (const d of shape) {
    if (d < 0) throw new SolderError(`tensor '${name}' has a negative dim ${d}`);
    n *= d;
  }
  if (!Number.isSafeInteger(n)) throw new SolderError(`tensor '${name}' of shape [${shape.join(', ')}] is too large`);
  return n;
}

function rawBytes(raw: Uint8Array, byteLength: number, name: string): LazyBytes {
  if (raw.byteLength !== byteLength) {
    throw new SolderError(`tensor '${name}' has ${raw.byteLength} bytes of raw_data, its shape needs ${byteLength}`);
  }
  // A plain view even when protobufjs hands a Buffer over: Buffer.slice shares memory where
  // Uint8Array.slice copies, a difference no caller should have to know about.
  return bytesInMemory(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
}

// The typed repeated fields, per the TensorProto comments: which field holds which dtype.
function typedFieldBytes(t: P.ITensorProto, dtype: DType, count: number, name: string): LazyBytes {
  const values: readonly Int64[] = fieldFor(t, dtype);
  if (values.length !== count) {
    throw new SolderError(`tensor '${name}' holds ${values.length} values, its shape needs ${count}`);
  }
  const size = byteSize(dtype);
  const out = new Uint8Array(count * size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < count; i++) writeLittleEndian(view, dtype, i * size, values[i] as Int64);
  return bytesInMemory(out);
}

function fieldFor(t: P.ITensorProto, dtype: DType): readonly Int64[] {
  switch (dtype) {
    case 'float32': return t.floatData ?? [];
    case 'float64': return t.doubleData ?? [];
    case 'int64': return t.int64Data ?? [];
    case 'uint64': case 'uint32': return t.uint64Data ?? [];
    default: return t.int32Data ?? [];
  }
}

function writeLittleEndian(view: DataView, dtype: DType, at: number, v: Int64): void {
  if (typeof v !== 'number') {
    // A Long: copy its two 32-bit halves, so that int64 values beyond 2^53 stay exact.
    if (dtype === 'uint32') view.setUint32(at, v.low >>> 0, true);
    else {
      view.setUint32(at, v.low >>> 0, true);
      view.setUint32(at + 4, v.high >>> 0, true);
    }
    return;
  }
  switch (dtype) {
    case 'float32': view.setFloat32(at, v, true); return;
    case 'float64': view.setFloat64(at, v, true); return;
    case 'int64': view.setBigInt64(at, BigInt(Math.trunc(v)), true); return;
    case 'uint64': view.setBigUint64(at, BigInt.asUintN(64, BigInt(Math.trunc(v))), true); return;
    case 'uint32': view.setUint32(at, v >>> 0, true); return;
    case 'int32': view.setInt32(at, v, true); return;
    case 'int16': view.setInt16(at, v, true); return;
    case 'uint16': case 'float16': case 'bfloat16': view.setUint16(at, v & 0xffff, true); return;
    case 'int8': view.setInt8(at, v); return;
    case 'uint8': view.setUint8(at, v & 0xff); return;
    case 'bool': view.setUint8(at, v !== 0 ? 1 : 0); return;
    case 'string': throw new SolderError('string tensors are not supported');
  }
}
