// Conformance cases as data: one node's inputs, attributes and expected outputs (or the
// error it must raise), so that any backend can run the same cases.
import type { Attrs } from '../../attrs.js';
import type { DType } from '../../dtype.js';

export interface CaseTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly values: readonly number[];
}

export interface OpCase {
  /** Also the node's name, so that errors can be checked to name it. */
  readonly name: string;
  readonly op: string;
  readonly attrs?: Attrs;
  /** null marks an absent optional input. */
  readonly inputs: readonly (CaseTensor | null)[];
  /** The expected outputs, or a fragment of the one-line error the node must raise. */
  readonly expect: readonly CaseTensor[] | { readonly error: string };
  /** How many outputs the node declares, when it differs from the expected list (Split, Unique). */
  readonly outputs?: number;
}

export function tensor(dtype: DType, shape: readonly number[], values: readonly number[]): CaseTensor {
  return { dtype, shape, values };
}

export const f32 = (shape: readonly number[], values: readonly number[]) => tensor('float32', shape, values);
export const i64 = (shape: readonly number[], values: readonly number[]) => tensor('int64', shape, values);
export const i32 = (shape: readonly number[], values: readonly number[]) => tensor('int32', shape, values);
export const bool = (shape: readonly number[], values: readonly number[]) => tensor('bool', shape, values);

/** A 1-D int64 vector, the form of shape/axes/pads inputs. */
export const ints = (values: readonly number[]) => i64([values.length], values);

/** The float ONNX files carry for INT64_MAX (2^63 - 1 is not a double): "to the end" in Slice. */
export const INT64_MAX = 9223372036854775807;

/** 0, 1, ..., n-1 as a float32 tensor of the given shape. */
export function iota(shape: readonly number[], dtype: DType = 'float32', from = 0): CaseTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(dtype, shape, Array.from({ length: n }, (_, i) => from + i));
}

/** The error fragment a case expects, or undefined when it expects outputs. */
export function expectedError(c: OpCase): string | undefined {
  return 'error' in c.expect ? c.expect.error : undefined;
}

/** The outputs a case expects (empty for an error case). */
export function expectedOutputs(c: OpCase): readonly CaseTensor[] {
  return 'error' in c.expect ? [] : c.expect;
}
