// Tensor metadata of the serialized program: torch ScalarType codes and symbolic sizes,
// turned into solder dtypes and dims.
import { type Dim, dimAdd, dimMul, sym } from '../../dim.js';
import type { DType } from '../../dtype.js';
import { SolderError } from '../../errors.js';
import { type TensorType, tensorType } from '../../types.js';
import type { SymInt, TensorMeta } from './schema.js';

// torch/_export/serde/schema.py ScalarType.
const SCALAR_TYPES: Readonly<Record<number, DType>> = {
  1: 'uint8', 2: 'int8', 3: 'int16', 4: 'int32', 5: 'int64', 6: 'float16', 7: 'float32',
  8: 'float64', 12: 'bool', 13: 'bfloat16', 28: 'uint16',
};

const UNSUPPORTED_NAMES: Readonly<Record<number, string>> = {
  9: 'complex32', 10: 'complex64', 11: 'complex128',
  29: 'float8_e4m3fn', 30: 'float8_e5m2', 31: 'float8_e4m3fnuz', 32: 'float8_e5m2fnuz',
};

/** The dtype of a torch ScalarType code; a SolderError for the ones solder does not support. */
export function dtypeOfScalarType(code: number): DType {
  const d = SCALAR_TYPES[code];
  if (d === undefined) {
    throw new SolderError(`unsupported tensor dtype ${UNSUPPORTED_NAMES[code] ?? `(torch ScalarType ${code})`}`);
  }
  return d;
}

/** A size of tensor metadata as a dim: the int, or the symbolic expression as a polynomial. */
export function dimOfSymInt(s: SymInt): Dim {
  if ('as_int' in s && typeof s.as_int === 'number') return s.as_int;
  if ('as_expr' in s && s.as_expr !== undefined) return parseSymExpr(s.as_expr.expr_str);
  throw new SolderError(`malformed symbolic size ${JSON.stringify(s)}`);
}

/** The static value of a size, or undefined when it is symbolic. */
export function staticOfSymInt(s: SymInt): number | undefined {
  return 'as_int' in s && typeof s.as_int === 'number' ? s.as_int : undefined;
}

export function typeOfMeta(meta: TensorMeta): TensorType {
  return tensorType(dtypeOfScalarType(meta.dtype), meta.sizes.map(dimOfSymInt));
}

/**
 * Parses the sympy text of a size: sums and differences of products of integers and symbols
 * ('s0', '2*s1', 's0*s1 + 1'). Anything else (floor division, Max, ...) becomes one opaque
 * symbol named by the expression, so that equal expressions still compare equal.
 */
export function parseSymExpr(text: string): Dim {
  const source = text.trim();
  const terms = source.replace(/\s+/g, '').match(/[+-]?[^+-]+/g);
  if (terms === null || terms.join('') !== source.replace(/\s+/g, '')) return sym(source);
  let total: Dim = 0;
  for (const term of terms) {
    const sign = term.startsWith('-') ? -1 : 1;
    let product: Dim = sign;
    for (const factor of term.replace(/^[+-]/, '').split('*')) {
      if (/^\d+$/.test(factor)) product = dimMul(product, Number(factor));
      else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(factor)) product = dimMul(product, sym(factor));
      else return sym(source);
    }
    total = dimAdd(total, product);
  }
  return total;
}
