// The ONNX protobuf schema (onnx-proto: static protobufjs code for ONNX 1.10) and the
// small conversions every ONNX decoding file needs.
import { onnxProto } from '../cjs.js';
import { SolderError } from '../errors.js';

export const onnx = onnxProto().onnx;

/** protobufjs hands int64 fields over as a Long when the long package is present. */
export interface LongLike {
  readonly low: number;
  readonly high: number;
  readonly unsigned: boolean;
  toNumber(): number;
}

export type Int64 = number | LongLike;

/** An int64 field as a JS number; a SolderError when it does not fit exactly (|v| >= 2^53). */
export function int64ToNumber(v: Int64 | null | undefined, what: string): number {
  if (v === null || v === undefined) return 0;
  const n = typeof v === 'number' ? v : v.toNumber();
  if (!Number.isSafeInteger(n)) throw new SolderError(`${what} ${String(n)} is too large`);
  return n;
}

/** Whether a decoded message carries the field itself (protobufjs puts defaults on the prototype). */
export function has(message: object, field: string): boolean {
  return Object.prototype.hasOwnProperty.call(message, field);
}

/** StringStringEntryProto list -> record; undefined when empty so that absent and empty read alike. */
export function entriesToRecord(
  entries: readonly { key?: string | null; value?: string | null }[] | null | undefined,
): Record<string, string> | undefined {
  if (!entries || entries.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const e of entries) out[e.key ?? ''] = e.value ?? '';
  return out;
}

/** Decodes a ModelProto; whatever protobufjs throws on malformed bytes becomes one SolderError. */
export function decodeModelProto(bytes: Uint8Array): InstanceType<typeof onnx.ModelProto> {
  if (bytes.byteLength === 0) throw new SolderError('not an ONNX model (the file is empty)');
  try {
    return onnx.ModelProto.decode(asBuffer(bytes));
  } catch (e) {
    throw new SolderError(`not an ONNX model (protobuf decoding failed: ${describe(e)})`);
  }
}

/**
 * The same memory as a Buffer: protobufjs then decodes strings with Node's native UTF-8
 * decoder instead of its JS one (exporters write megabytes of stack traces into metadata).
 */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
