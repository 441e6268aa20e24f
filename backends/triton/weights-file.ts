// weights.safetensors written tensor by tensor: ir/safetensors.ts encodes a whole file in
// one Uint8Array, and Node caps one array at 4 GiB, less than a 7B model's weights. The
// bytes are the same as encodeSafetensors gives (8-byte aligned body, space padding).
import * as fs from 'node:fs';
import { byteSize } from '../../ir/dtype.js';
import { SolderError } from '../../ir/errors.js';
import { type Tensor, numel } from '../../ir/tensor.js';
import { storageBytes } from './storage.js';

const SAFETENSORS_DTYPE: Readonly<Record<string, string>> = {
  float64: 'F64', float32: 'F32', float16: 'F16', bfloat16: 'BF16',
  int64: 'I64', int32: 'I32', int16: 'I16', int8: 'I8',
  uint64: 'U64', uint32: 'U32', uint16: 'U16', uint8: 'U8', bool: 'BOOL',
};

/** Writes tensors to a safetensors file without holding the whole file in memory. */
export function writeSafetensorsFile(file: string, tensors: ReadonlyMap<string, Tensor>): void {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, t] of tensors) {
    const dtype = SAFETENSORS_DTYPE[t.dtype];
    if (dtype === undefined) throw new SolderError(`tensor '${name}': ${t.dtype} cannot be stored in safetensors`);
    const bytes = numel(t.shape) * byteSize(t.dtype);
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = new Uint8Array(json.byteLength + ((8 - ((8 + json.byteLength) % 8)) % 8)).fill(0x20);
  headerBytes.set(json);
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  const fd = fs.openSync(file, 'w');
  try {
    writeAll(fd, length);
    writeAll(fd, headerBytes);
    for (const t of tensors.values()) writeAll(fd, storageBytes(t));
  } finally {
    fs.closeSync(fd);
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.byteLength;) at += fs.writeSync(fd, bytes, at, bytes.byteLength - at);
}
