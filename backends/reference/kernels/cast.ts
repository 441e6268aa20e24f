// Reference kernels: Cast and CastLike.
import { type DType, isFloat, isInteger } from '../../../ir/dtype.js';
import { Cast, CastLike, castTarget } from '../../../ir/ops/cast.js';
import { type Tensor, roundInPlace } from '../../../ir/tensor.js';
import { mapUnary } from '../broadcast.js';
import { defineCheckedKernel } from './checked-kernel.js';
import { required } from './args.js';

const TWO_POW_64 = 2 ** 64;

/**
 * How one value converts from `from` to `to`. Floats truncate toward zero into integers,
 * and NaN or infinities become 0 there (ONNX leaves them undefined); narrower integers wrap,
 * as the typed array store does; anything nonzero (NaN included) is true.
 */
function conversion(from: DType, to: DType): (v: number) => number {
  if (to === 'bool') return (v) => (v !== 0 ? 1 : 0);
  if (isFloat(to) || from === 'bool') return (v) => v;
  const fromFloat = isFloat(from);
  if (to === 'uint64') return (v) => wrapUint64(fromFloat ? truncFinite(v) : v);
  if (to === 'int64' && from === 'uint64') return (v) => (v >= 2 ** 63 ? v - TWO_POW_64 : v);
  return fromFloat ? truncFinite : (v) => v;
}

function truncFinite(v: number): number {
  return Number.isFinite(v) ? Math.trunc(v) : 0;
}

function wrapUint64(v: number): number {
  return v < 0 ? v + TWO_POW_64 : v;
}

/** x converted to dtype `to`, each value rounded to what `to` holds. */
export function castTensor(x: Tensor, to: DType): Tensor {
  const out = mapUnary(x, to, conversion(x.dtype, to));
  if (!isInteger(to) || to === 'int64' || to === 'uint64') roundInPlace(to, out.data);
  return out;
}

defineCheckedKernel(Cast, (inputs, attrs, node) => [castTensor(required(inputs, 0, node), castTarget(node, attrs.to))]);

defineCheckedKernel(CastLike, (inputs, _attrs, node) => [castTensor(required(inputs, 0, node), required(inputs, 1, node).dtype)]);
