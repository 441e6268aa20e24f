// Dtype groups of the elementwise and reduction specs, as ONNX type constraints list them,
// and the checks that turn a mismatch into a user error naming the node.
import type { DType } from '../dtype.js';
import type { TensorType } from '../types.js';
import { broadcastShapes, inputType, opError } from './shape-util.js';
import type { InferContext } from './spec.js';

export const FLOATS: readonly DType[] = ['float16', 'float32', 'float64', 'bfloat16'];
export const SIGNED_INTS: readonly DType[] = ['int8', 'int16', 'int32', 'int64'];
export const UNSIGNED_INTS: readonly DType[] = ['uint8', 'uint16', 'uint32', 'uint64'];
export const INTS: readonly DType[] = [...SIGNED_INTS, ...UNSIGNED_INTS];
export const NUMERIC: readonly DType[] = [...FLOATS, ...INTS];
export const SIGNED_NUMERIC: readonly DType[] = [...FLOATS, ...SIGNED_INTS];
export const ALL_TYPES: readonly DType[] = [...NUMERIC, 'bool'];
export const BOOL: readonly DType[] = ['bool'];

/** The dtype of input i, required present and one of `allowed`. */
export function checkedDType(ctx: InferContext, i: number, allowed: readonly DType[], what = `input ${i}`): DType {
  const t = inputType(ctx, i);
  if (!allowed.includes(t.dtype)) throw dtypeError(ctx, what, t.dtype, allowed);
  return t.dtype;
}

/** Checks an optional input's dtype when it is present. */
export function checkOptionalDType(ctx: InferContext, i: number, allowed: readonly DType[], what: string): void {
  const t = ctx.inputs[i];
  if (t !== undefined && !allowed.includes(t.dtype)) throw dtypeError(ctx, what, t.dtype, allowed);
}

function dtypeError(ctx: InferContext, what: string, found: DType, allowed: readonly DType[]) {
  return opError(ctx.node, `${what} is ${found}, but ${ctx.node.op} takes ${describe(allowed)}`);
}

function describe(allowed: readonly DType[]): string {
  if (allowed.length === 1) return allowed[0]!;
  return `one of ${allowed.join(', ')}`;
}

/** Requires inputs at `indices` (those present) to share the dtype of the first. */
export function sameDTypes(ctx: InferContext, indices: readonly number[]): DType {
  const first = inputType(ctx, indices[0]!).dtype;
  for (const i of indices) {
    const t = ctx.inputs[i];
    if (t !== undefined && t.dtype !== first) {
      throw opError(ctx.node, `input ${i} is ${t.dtype}, but ${ctx.node.op} needs it to match input ${indices[0]} (${first})`);
    }
  }
  return first;
}

/** Output type of an op that keeps its input's type (unary math, activations). */
export function sameAsInput(ctx: InferContext, allowed: readonly DType[]): TensorType[] {
  checkedDType(ctx, 0, allowed);
  return [inputType(ctx, 0)];
}

/** Output type of a broadcasting op over all present inputs: `dtype`, broadcast shape. */
export function broadcastType(ctx: InferContext, dtype: DType, indices?: readonly number[]): TensorType {
  const which = indices ?? ctx.inputs.map((_, i) => i);
  const shapes = which.map((i) => inputType(ctx, i).shape);
  const shape = broadcastShapes(ctx.node, shapes);
  return shape === undefined ? { dtype } : { dtype, shape };
}
