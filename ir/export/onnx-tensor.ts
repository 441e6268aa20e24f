// Tensors and types -> their ONNX protos.
import type { onnx as P } from 'onnx-proto';
import { type Dim, isKnown } from '../dim.js';
import { onnxCode } from '../dtype.js';
import { SolderError } from '../errors.js';
import { type Tensor, tensorToBytes } from '../tensor.js';
import type { TensorType } from '../types.js';

const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** A tensor with its values inline as raw_data (attribute tensors: Constant values). */
export function tensorProtoOf(t: Tensor): P.ITensorProto {
  return { dims: [...t.shape], dataType: onnxCode(t.dtype), rawData: storageBytes(t) };
}

// int64 values are held as float64, so INT64_MAX (Slice's "to the end") reads back as 2^63;
// written as is it would wrap to INT64_MIN and turn "to the end" into "from the start".
// The nearest int64 is what the value meant.
function storageBytes(t: Tensor): Uint8Array {
  if (t.dtype !== 'int64' && t.dtype !== 'uint64') return tensorToBytes(t);
  const out = new Uint8Array(t.data.length * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i] as number;
    if (t.dtype === 'int64') view.setBigInt64(i * 8, nearestInt(v, -INT64_MAX - 1n, INT64_MAX), true);
    else view.setBigUint64(i * 8, nearestInt(v, 0n, UINT64_MAX), true);
  }
  return out;
}

function nearestInt(v: number, lo: bigint, hi: bigint): bigint {
  if (Number.isNaN(v)) return 0n;
  if (v >= Number(hi)) return hi;
  if (v <= Number(lo)) return lo;
  return BigInt(Math.trunc(v));
}

/** A tensor type; symbolic dims are written as dim_param with their expression. */
export function typeProtoOf(type: TensorType): P.ITypeProto {
  const tensorType: P.TypeProto.ITensor = { elemType: onnxCode(type.dtype) };
  if (type.shape !== undefined) tensorType.shape = { dim: type.shape.map(dimProtoOf) };
  return { tensorType };
}

function dimProtoOf(d: Dim): P.TensorShapeProto.IDimension {
  if (!isKnown(d)) return { dimParam: d.expr };
  if (!Number.isSafeInteger(d) || d < 0) throw new SolderError(`cannot write dim ${d}: dims are non-negative integers`);
  return { dimValue: d };
}
