// Triton expressions for elementwise ops. Floats are computed in float32 whatever the
// plan dtype (stores round to it), integers in their own width, booleans as int1.
import type { DType } from '../../ir/dtype.js';
import { isFloat } from '../../ir/dtype.js';
import type { Node } from '../../ir/graph.js';
import { opError } from '../../ir/ops/shape-util.js';

/** A computed operand: Triton code, and whether it is a block (false: a scalar or literal). */
export interface Val {
  readonly code: string;
  readonly dtype: DType;
  readonly tile: boolean;
}

/** The Triton dtype a value of this IR dtype is computed in. */
export function computeType(dtype: DType): string {
  if (isFloat(dtype)) return 'tl.float32';
  switch (dtype) {
    case 'bool': return 'tl.int1';
    case 'int64': case 'uint64': return 'tl.int64';
    case 'int32': case 'uint32': return 'tl.int32';
    case 'int16': case 'uint16': return 'tl.int16';
    case 'int8': return 'tl.int8';
    case 'uint8': return 'tl.uint8';
    default: throw new Error(`no Triton type for ${dtype}`);
  }
}

/** A literal of dtype (non-finite floats spelled so Python reads them). */
export function literal(value: number, dtype: DType): string {
  if (dtype === 'bool') return value !== 0 ? 'True' : 'False';
  if (!isFloat(dtype)) return String(Math.trunc(value));
  if (Number.isNaN(value)) return 'float("nan")';
  if (!Number.isFinite(value)) return value > 0 ? 'float("inf")' : 'float("-inf")';
  const s = String(value);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

const SQRT1_2 = 0.7071067811865476;

/** Code for an elementwise node applied to already-computed operands. */
export function elementwiseCode(node: Node, args: readonly Val[], out: DType): string {
  const [a, b, c] = args.map((v) => v.code);
  const float = (v: Val) => (isFloat(v.dtype) ? v.code : `${scalarTensor(v)}.to(tl.float32)`);
  const tanh = (x: string) => `(2.0 * tl.sigmoid(2.0 * (${x})) - 1.0)`;
  switch (node.op) {
    case 'Add': case 'Sum': return args.map((v) => `(${v.code})`).join(' + ');
    case 'Sub': return `(${a}) - (${b})`;
    case 'Mul': return `(${a}) * (${b})`;
    case 'Div': return isFloat(out) ? `(${a}) / (${b})` : `(${a}) // (${b})`;
    case 'Mean': return `(${args.map((v) => `(${v.code})`).join(' + ')}) / ${args.length}.0`;
    case 'Pow': return pow(args[0]!, args[1]!);
    case 'Max': return args.map((v) => v.code).reduce((x, y) => `tl.maximum(${x}, ${y})`);
    case 'Min': return args.map((v) => v.code).reduce((x, y) => `tl.minimum(${x}, ${y})`);
    case 'Equal': return `(${a}) == (${b})`;
    case 'Less': return `(${a}) < (${b})`;
    case 'LessOrEqual': return `(${a}) <= (${b})`;
    case 'Greater': return `(${a}) > (${b})`;
    case 'GreaterOrEqual': return `(${a}) >= (${b})`;
    case 'And': return `(${a}) & (${b})`;
    case 'Or': return `(${a}) | (${b})`;
    case 'Xor': return `(${a}) ^ (${b})`;
    case 'Not': return `(${a}) == 0`;
    case 'Where': return `tl.where(${a}, ${b}, ${c})`;
    case 'Neg': return `-(${a})`;
    case 'Abs': return `tl.abs(${a})`;
    case 'Sign': return `tl.where((${a}) > 0, 1, tl.where((${a}) < 0, -1, 0)).to(${computeType(out)})`;
    case 'Exp': return `tl.exp(${float(args[0]!)})`;
    case 'Log': return `tl.log(${float(args[0]!)})`;
    case 'Sqrt': return `tl.sqrt(${float(args[0]!)})`;
    case 'Reciprocal': return `1.0 / (${a})`;
    case 'Sigmoid': return `tl.sigmoid(${float(args[0]!)})`;
    case 'Tanh': return tanh(float(args[0]!));
    case 'Relu': return isFloat(out) ? `tl.maximum(${a}, 0.0)` : `tl.maximum(${a}, 0)`;
    case 'Erf': return `tl.math.erf(${float(args[0]!)})`;
    case 'Sin': return `tl.sin(${float(args[0]!)})`;
    case 'Cos': return `tl.cos(${float(args[0]!)})`;
    case 'Floor': return `tl.floor(${a})`;
    case 'Ceil': return `tl.ceil(${a})`;
    case 'Softplus': return `tl.log(1.0 + tl.exp(${a}))`;
    case 'IsNaN': return `(${a}) != (${a})`;
    case 'IsInf': return `tl.abs(${a}) == float("inf")`;
    case 'Gelu': {
      const approx = node.attrs.approximate;
      const x = float(args[0]!);
      if (approx?.kind === 'string' && approx.value === 'tanh') {
        return `0.5 * (${x}) * (1.0 + ${tanh(`0.7978845608028654 * ((${x}) + 0.044715 * (${x}) * (${x}) * (${x}))`)})`;
      }
      return `0.5 * (${x}) * (1.0 + tl.math.erf((${x}) * ${SQRT1_2}))`;
    }
    case 'Clip': {
      let x = a!;
      if (args[1] !== undefined) x = `tl.maximum(${x}, ${args[1].code})`;
      else if (node.attrs.min?.kind === 'float') x = `tl.maximum(${x}, ${literal(node.attrs.min.value, out)})`;
      if (args[2] !== undefined) x = `tl.minimum(${x}, ${args[2].code})`;
      else if (node.attrs.max?.kind === 'float') x = `tl.minimum(${x}, ${literal(node.attrs.max.value, out)})`;
      return x;
    }
    case 'Cast': case 'CastLike': return cast(args[0]!, out);
    default: throw opError(node, 'unsupported elementwise op for the Triton backend');
  }
}

/** A scalar operand made a 0-d tensor so that methods like .to() apply. */
export function scalarTensor(v: Val): string {
  return v.tile ? `(${v.code})` : `tl.full([], ${v.code}, ${computeType(v.dtype)})`;
}

function cast(v: Val, to: DType): string {
  if (to === 'bool') return `(${v.code}) != 0`;
  if (computeType(to) === computeType(v.dtype)) return v.code;
  return `${scalarTensor(v)}.to(${computeType(to)})`;
}

// Small integer exponents (x², x³ in norms and tanh-GELU) as products: exact, and defined for x < 0.
function pow(x: Val, y: Val): string {
  const n = Number(y.code);
  if (!y.tile && Number.isInteger(n) && Math.abs(n) <= 4) {
    if (n === 0) return '1.0';
    const product = Array.from({ length: Math.abs(n) }, () => `(${x.code})`).join(' * ');
    return n > 0 ? product : `1.0 / (${product})`;
  }
  if (!y.tile && n === 0.5) return `tl.sqrt(${x.code})`;
  return `tl.exp2(tl.log2(${x.code}) * (${y.code}))`;
}
