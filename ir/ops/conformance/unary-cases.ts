// Conformance cases: unary math, predicates, Not/BitwiseNot, Identity. Expected values of
// transcendental functions are Python's math module in float64 (the runner allows an ulp
// or two of the output dtype); edge cases (NaN, -0, infinities, halves) are exact.
import { intAttr } from '../../attrs.js';
import { type OpCase, bool, f32, i32, i64, tensor } from './case.js';

const u8 = (shape: number[], values: number[]) => tensor('uint8', shape, values);
const f64 = (shape: number[], values: number[]) => tensor('float64', shape, values);
const { NaN: nan } = Number;
const inf = Infinity;

export const UNARY_CASES: OpCase[] = [
  { name: 'abs_float', op: 'Abs', inputs: [f32([4], [-1.5, 0, 2, -0])], expect: [f32([4], [1.5, 0, 2, 0])] },
  { name: 'abs_int32', op: 'Abs', inputs: [i32([2], [-3, 4])], expect: [i32([2], [3, 4])] },
  // Like C++ and numpy, |INT8_MIN| wraps back to itself.
  { name: 'abs_int8_min', op: 'Abs', inputs: [tensor('int8', [1], [-128])], expect: [tensor('int8', [1], [-128])] },
  { name: 'abs_bool', op: 'Abs', inputs: [bool([1], [1])], expect: { error: 'input 0 is bool' } },
  { name: 'neg_float', op: 'Neg', inputs: [f32([3], [0, -2, nan])], expect: [f32([3], [-0, 2, nan])] },
  { name: 'neg_int64', op: 'Neg', inputs: [i64([2], [5, -7])], expect: [i64([2], [-5, 7])] },
  { name: 'neg_uint8', op: 'Neg', inputs: [u8([1], [1])], expect: { error: 'input 0 is uint8' } },
  { name: 'sign_float', op: 'Sign', inputs: [f32([5], [-3, 0, -0, 2.5, nan])], expect: [f32([5], [-1, 0, 0, 1, nan])] },
  { name: 'sign_int32', op: 'Sign', inputs: [i32([3], [-5, 0, 7])], expect: [i32([3], [-1, 0, 1])] },
  { name: 'sign_uint8', op: 'Sign', inputs: [u8([2], [0, 3])], expect: [u8([2], [0, 1])] },

  { name: 'exp', op: 'Exp', inputs: [f32([5], [0, 1, -1, -inf, inf])], expect: [f32([5], [1, Math.E, 0.36787944117144233, 0, inf])] },
  { name: 'exp_int', op: 'Exp', inputs: [i32([1], [1])], expect: { error: 'input 0 is int32' } },
  { name: 'log', op: 'Log', inputs: [f32([4], [1, 2, 0, -1])], expect: [f32([4], [0, Math.LN2, -inf, nan])] },
  { name: 'sqrt', op: 'Sqrt', inputs: [f32([5], [4, 2, 0, -0, -1])], expect: [f32([5], [2, Math.SQRT2, 0, -0, nan])] },
  { name: 'reciprocal', op: 'Reciprocal', inputs: [f32([4], [2, -0.5, 0, -0])], expect: [f32([4], [0.5, -2, inf, -inf])] },
  { name: 'floor', op: 'Floor', inputs: [f32([5], [-1.5, 1.5, -0, 2, -inf])], expect: [f32([5], [-2, 1, -0, 2, -inf])] },
  { name: 'ceil', op: 'Ceil', inputs: [f32([4], [-1.5, 1.5, -0.5, 2])], expect: [f32([4], [-1, 2, -0, 2])] },
  {
    name: 'round_half_even', op: 'Round',
    inputs: [f32([11], [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.4, -0.4, 2.6, -2.6, nan])],
    expect: [f32([11], [0, 2, 2, -0, -2, -2, 0, -0, 3, -3, nan])],
  },
  { name: 'round_float64', op: 'Round', inputs: [f64([3], [4503599627370495.5, 1e300, 3.5])], expect: [f64([3], [4503599627370496, 1e300, 4])] },

  { name: 'sin', op: 'Sin', inputs: [f32([3], [0, 0.5, -1])], expect: [f32([3], [0, 0.479425538604203, -0.8414709848078965])] },
  { name: 'cos', op: 'Cos', inputs: [f32([3], [0, 0.5, -1])], expect: [f32([3], [1, 0.8775825618903728, 0.5403023058681398])] },
  { name: 'tan', op: 'Tan', inputs: [f32([3], [0, 0.5, -1])], expect: [f32([3], [0, 0.5463024898437905, -1.5574077246549023])] },
  { name: 'asin', op: 'Asin', inputs: [f32([3], [0.5, -1, 2])], expect: [f32([3], [0.5235987755982989, -Math.PI / 2, nan])] },
  { name: 'acos', op: 'Acos', inputs: [f32([3], [0.5, 1, -2])], expect: [f32([3], [1.0471975511965979, 0, nan])] },
  { name: 'atan', op: 'Atan', inputs: [f32([3], [-2, 1, -inf])], expect: [f32([3], [-1.1071487177940904, Math.PI / 4, -Math.PI / 2])] },
  { name: 'sinh', op: 'Sinh', inputs: [f32([2], [0.5, -2])], expect: [f32([2], [0.5210953054937474, -3.626860407847019])] },
  { name: 'cosh', op: 'Cosh', inputs: [f32([2], [0.5, -2])], expect: [f32([2], [1.1276259652063807, 3.7621956910836314])] },
  { name: 'asinh', op: 'Asinh', inputs: [f32([2], [0.5, -2])], expect: [f32([2], [0.48121182505960347, -1.4436354751788103])] },
  { name: 'acosh', op: 'Acosh', inputs: [f32([3], [1, 2, 0.5])], expect: [f32([3], [0, 1.3169578969248166, nan])] },
  { name: 'atanh', op: 'Atanh', inputs: [f32([3], [0.5, 1, 2])], expect: [f32([3], [0.5493061443340548, inf, nan])] },
  { name: 'tanh', op: 'Tanh', inputs: [f32([3], [0.5, -20, 0])], expect: [f32([3], [0.46211715726000974, -1, 0])] },
  { name: 'sigmoid', op: 'Sigmoid', inputs: [f32([4], [0, 2, -800, 800])], expect: [f32([4], [0.5, 0.8807970779778823, 0, 1])] },
  { name: 'sigmoid_float16', op: 'Sigmoid', inputs: [tensor('float16', [1], [2])], expect: [tensor('float16', [1], [0.8807970779778823])] },
  { name: 'erf', op: 'Erf', inputs: [f32([5], [0, 0.5, -1, 3, -7])], expect: [f32([5], [0, 0.5204998778130465, -0.8427007929497149, 0.9999779095030014, -1])] },
  {
    name: 'erf_float64', op: 'Erf',
    inputs: [f64([6], [0.1, 1.7, 2.6, 4.2, -0.3, -0])],
    expect: [f64([6], [0.1124629160182849, 0.9837904585907745, 0.9997639655834707, 0.9999999971445058, -0.3286267594591274, -0])],
  },

  { name: 'isnan', op: 'IsNaN', inputs: [f32([3], [1, nan, inf])], expect: [bool([3], [0, 1, 0])] },
  { name: 'isnan_int', op: 'IsNaN', inputs: [i32([1], [1])], expect: { error: 'input 0 is int32' } },
  { name: 'isinf', op: 'IsInf', inputs: [f32([4], [1, inf, -inf, nan])], expect: [bool([4], [0, 1, 1, 0])] },
  { name: 'isinf_positive_only', op: 'IsInf', attrs: { detect_negative: intAttr(0) }, inputs: [f32([4], [1, inf, -inf, nan])], expect: [bool([4], [0, 1, 0, 0])] },
  { name: 'isinf_negative_only', op: 'IsInf', attrs: { detect_positive: intAttr(0) }, inputs: [f32([4], [1, inf, -inf, nan])], expect: [bool([4], [0, 0, 1, 0])] },

  { name: 'not', op: 'Not', inputs: [bool([2], [0, 1])], expect: [bool([2], [1, 0])] },
  { name: 'not_float', op: 'Not', inputs: [f32([1], [1])], expect: { error: 'Not takes bool' } },
  { name: 'bitwise_not_int32', op: 'BitwiseNot', inputs: [i32([3], [0, 5, -1])], expect: [i32([3], [-1, -6, 0])] },
  { name: 'bitwise_not_uint8', op: 'BitwiseNot', inputs: [u8([3], [0, 5, 255])], expect: [u8([3], [255, 250, 0])] },
  { name: 'bitwise_not_uint16', op: 'BitwiseNot', inputs: [tensor('uint16', [1], [1])], expect: [tensor('uint16', [1], [65534])] },
  { name: 'bitwise_not_int64', op: 'BitwiseNot', inputs: [i64([2], [3, -(2 ** 40)])], expect: [i64([2], [-4, 2 ** 40 - 1])] },
  { name: 'bitwise_not_float', op: 'BitwiseNot', inputs: [f32([1], [1])], expect: { error: 'input 0 is float32' } },

  { name: 'identity_bool', op: 'Identity', inputs: [bool([2], [1, 0])], expect: [bool([2], [1, 0])] },
  { name: 'identity_scalar', op: 'Identity', inputs: [f32([], [-0])], expect: [f32([], [-0])] },
];
