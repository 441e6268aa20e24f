// Input checks the nn op specs share: required float inputs, matching dtypes, ranks.
import type { DType } from '../dtype.js';
import type { Dim } from '../dim.js';
import { isKnown } from '../dim.js';
import type { Node } from '../graph.js';
import type { TensorType } from '../types.js';
import { opError, shapeString } from './shape-util.js';
import type { InferContext } from './spec.js';

export const FLOAT_DTYPES: readonly DType[] = ['float32', 'float16', 'bfloat16', 'float64'];

/** The dtypes MatMul and Gemm accept: floats and 32/64-bit integers. */
export const MATMUL_DTYPES: readonly DType[] = [...FLOAT_DTYPES, 'int32', 'int64', 'uint32', 'uint64'];

/** Input i, required and of one of the allowed dtypes; `what` names it in errors. */
export function typedInput(ctx: InferContext, i: number, what: string, allowed: readonly DType[] = FLOAT_DTYPES): TensorType {
  const t = ctx.inputs[i];
  if (t === undefined) throw opError(ctx.node, `${what} (input ${i}) is required`);
  if (!allowed.includes(t.dtype)) throw opError(ctx.node, `${what} (input ${i}) is ${t.dtype}, expected one of ${allowed.join(', ')}`);
  return t;
}

/** Optional input i, which must have the given dtype when present. */
export function optionalInput(ctx: InferContext, i: number, what: string, dtype: DType): TensorType | undefined {
  const t = ctx.inputs[i];
  if (t !== undefined && t.dtype !== dtype) throw opError(ctx.node, `${what} (input ${i}) is ${t.dtype}, expected ${dtype} like input 0`);
  return t;
}

/** Requires a known rank to be one of the allowed ranks. */
export function requireRank(node: Node, shape: readonly Dim[] | undefined, allowed: readonly number[], what: string): void {
  if (shape !== undefined && !allowed.includes(shape.length)) {
    throw opError(node, `${what} must have rank ${allowed.join(' or ')}, found ${shapeString(shape)}`);
  }
}

/** Two dims that must agree: a user error when both are known and differ. */
export function requireSameDim(node: Node, a: Dim | undefined, b: Dim | undefined, problem: string): void {
  if (a !== undefined && b !== undefined && isKnown(a) && isKnown(b) && a !== b) throw opError(node, `${problem} (${a} vs ${b})`);
}

/** The dtype an ONNX stash_type code names; float32 computations are done in float64 here anyway. */
export function stashDType(node: Node, code: number, fromOnnx: (c: number) => DType | undefined): DType {
  const d = fromOnnx(code);
  if (d === undefined || !FLOAT_DTYPES.includes(d)) throw opError(node, `stash_type ${code} is not a float type code`);
  return d;
}
