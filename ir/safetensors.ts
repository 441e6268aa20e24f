// safetensors files: an 8-byte little-endian header length, a JSON header, then raw bytes.
// solder reads recorded inputs/outputs from them and writes plan weights to them.
import * as fs from 'node:fs';
import { type DType, byteSize } from './dtype.js';
import { SolderError } from './errors.js';
import { type Tensor, numel, tensorFromBytes, tensorToBytes } from './tensor.js';

const DTYPE_NAMES: Readonly<Record<string, DType>> = {
  F64: 'float64', F32: 'float32', F16: 'float16', BF16: 'bfloat16',
  I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8',
  U64: 'uint64', U32: 'uint32', U16: 'uint16', U8: 'uint8', BOOL: 'bool',
};

const NAMES_BY_DTYPE = new Map(Object.entries(DTYPE_NAMES).map(([k, v]) => [v, k]));

/** Reads every tensor of a safetensors file, by name, in file order. */
export function readSafetensors(file: string): Map<string, Tensor> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new SolderError(`cannot read safetensors file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { file });
  }
  try {
    return parseSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    if (e instanceof SolderError) throw e.inFile(file);
    throw e;
  }
}

export function parseSafetensors(bytes: Uint8Array): Map<string, Tensor> {
  if (bytes.byteLength < 8) throw new SolderError('not a safetensors file (shorter than its header)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.byteLength - 8) throw new SolderError('not a safetensors file (header length past the end)');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    throw new SolderError('not a safetensors file (header is not JSON)');
  }
  if (typeof header !== 'object' || header === null) throw new SolderError('safetensors header is not an object');
  const body = bytes.subarray(8 + headerLength);
  const out = new Map<string, Tensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    out.set(name, readEntry(name, entry, body));
  }
  return out;
}

function readEntry(name: string, entry: unknown, body: Uint8Array): Tensor {
  const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  const dtype = typeof e.dtype === 'string' ? DTYPE_NAMES[e.dtype] : undefined;
  if (dtype === undefined) throw new SolderError(`tensor '${name}': unsupported dtype ${String(e.dtype)}`);
  const shape = e.shape;
  const offsets = e.data_offsets;
  if (!isIntArray(shape) || !isIntArray(offsets) || offsets.length !== 2) {
    throw new SolderError(`tensor '${name}': malformed shape or data_offsets`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > body.byteLength || end - begin !== numel(shape) * byteSize(dtype)) {
    throw new SolderError(`tensor '${name}': data_offsets do not fit its shape or the file`);
  }
  return tensorFromBytes(dtype, shape, body.subarray(begin, end));
}

function isIntArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => Number.isSafeInteger(x) && x >= 0);
}

/** Encodes tensors as a safetensors file body, in the given order. */
export function encodeSafetensors(tensors: ReadonlyMap<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    const dtypeName = NAMES_BY_DTYPE.get(t.dtype);
    if (dtypeName === undefined) throw new SolderError(`tensor '${name}': ${t.dtype} cannot be stored in safetensors`);
    const bytes = tensorToBytes(t);
    header[name] = { dtype: dtypeName, shape: t.shape, data_offsets: [offset, offset + bytes.byteLength] };
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // The body starts 8-byte aligned, as the reference writer does (padding with spaces).
  const headerBytes = new Uint8Array(json.byteLength + ((8 - ((8 + json.byteLength) % 8)) % 8)).fill(0x20);
  headerBytes.set(json);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.byteLength;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
