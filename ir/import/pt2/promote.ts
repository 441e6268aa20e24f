// PyTorch type promotion (c10 result_type): tensors with dims decide within a category, and
// zero-dim tensors and Python scalars only lift the category (bool < integer < float).
// So int64_tensor * 0.5 is float32 (the default dtype), but float16_tensor * 0.5 stays float16.
import { type DType, isFloat } from '../../dtype.js';

export type Operand =
  | { readonly kind: 'tensor'; readonly dtype: DType; readonly rank: number }
  | { readonly kind: 'scalar'; readonly value: 'bool' | 'int' | 'float' };

const DEFAULT_FLOAT: DType = 'float32';

// The order of c10's promotion lattice for the dtypes solder holds.
const INT_ORDER: readonly DType[] = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64'];

/** promoteTypes for two dtypes (torch.promote_types). */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a === 'bool') return b;
  if (b === 'bool') return a;
  if (isFloat(a) || isFloat(b)) {
    if (!isFloat(a)) return b;
    if (!isFloat(b)) return a;
    return promoteFloats(a, b);
  }
  // uint8 with a signed type needs the next wider signed type.
  if (a === 'uint8' || b === 'uint8') {
    const other = a === 'uint8' ? b : a;
    return other === 'int8' ? 'int16' : other;
  }
  return INT_ORDER.indexOf(a) > INT_ORDER.indexOf(b) ? a : b;
}

function promoteFloats(a: DType, b: DType): DType {
  if (a === 'float64' || b === 'float64') return 'float64';
  if (a === 'float32' || b === 'float32') return 'float32';
  // float16 with bfloat16: neither holds the other.
  return 'float32';
}

/** The dtype torch computes a binary or n-ary op in, given its tensor and scalar operands. */
export function resultType(operands: readonly Operand[]): DType {
  let dims: DType | undefined;
  let zeros: DType | undefined;
  let wrapped: DType | undefined;
  const join = (acc: DType | undefined, d: DType): DType => (acc === undefined ? d : promoteTypes(acc, d));
  for (const o of operands) {
    if (o.kind === 'scalar') {
      wrapped = join(wrapped, o.value === 'float' ? DEFAULT_FLOAT : o.value === 'int' ? 'int64' : 'bool');
    } else if (o.rank === 0) {
      zeros = join(zeros, o.dtype);
    } else {
      dims = join(dims, o.dtype);
    }
  }
  const result = combine(dims, combine(zeros, wrapped));
  return result ?? DEFAULT_FLOAT;
}

// c10 combine_categories: the higher-priority state wins, unless it is bool or the lower one is a float.
function combine(higher: DType | undefined, lower: DType | undefined): DType | undefined {
  if (higher === undefined) return lower;
  if (lower === undefined) return higher;
  if (isFloat(higher)) return higher;
  if (higher === 'bool' || isFloat(lower)) return promoteTypes(higher, lower);
  return higher;
}
