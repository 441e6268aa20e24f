// Element types of the IR, with their ONNX enum codes and storage sizes.

export const DTYPES = [
  'float32', 'float16', 'bfloat16', 'float64',
  'int64', 'int32', 'int16', 'int8',
  'uint64', 'uint32', 'uint16', 'uint8',
  'bool', 'string',
] as const;

export type DType = (typeof DTYPES)[number];

interface DTypeInfo {
  readonly onnx: number;
  readonly bytes: number;
  readonly float: boolean;
  readonly signed: boolean;
}

const INFO: Record<DType, DTypeInfo> = {
  float32: { onnx: 1, bytes: 4, float: true, signed: true },
  uint8: { onnx: 2, bytes: 1, float: false, signed: false },
  int8: { onnx: 3, bytes: 1, float: false, signed: true },
  uint16: { onnx: 4, bytes: 2, float: false, signed: false },
  int16: { onnx: 5, bytes: 2, float: false, signed: true },
  int32: { onnx: 6, bytes: 4, float: false, signed: true },
  int64: { onnx: 7, bytes: 8, float: false, signed: true },
  string: { onnx: 8, bytes: 0, float: false, signed: false },
  bool: { onnx: 9, bytes: 1, float: false, signed: false },
  float16: { onnx: 10, bytes: 2, float: true, signed: true },
  float64: { onnx: 11, bytes: 8, float: true, signed: true },
  uint32: { onnx: 12, bytes: 4, float: false, signed: false },
  uint64: { onnx: 13, bytes: 8, float: false, signed: false },
  bfloat16: { onnx: 16, bytes: 2, float: true, signed: true },
};

const BY_ONNX = new Map<number, DType>(DTYPES.map((d) => [INFO[d].onnx, d]));

/** The ONNX TensorProto.DataType code of a dtype. */
export function onnxCode(dtype: DType): number {
  return INFO[dtype].onnx;
}

/** The dtype for an ONNX TensorProto.DataType code, or undefined if solder does not support it. */
export function dtypeFromOnnx(code: number): DType | undefined {
  return BY_ONNX.get(code);
}

/** Bytes per element in the ONNX/safetensors little-endian storage layout. */
export function byteSize(dtype: DType): number {
  return INFO[dtype].bytes;
}

export function isFloat(dtype: DType): boolean {
  return INFO[dtype].float;
}

export function isInteger(dtype: DType): boolean {
  return !INFO[dtype].float && dtype !== 'bool' && dtype !== 'string';
}

export function isSigned(dtype: DType): boolean {
  return INFO[dtype].signed;
}

export function isDType(s: string): s is DType {
  return (DTYPES as readonly string[]).includes(s);
}
