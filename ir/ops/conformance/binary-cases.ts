// Conformance cases: broadcasting arithmetic, variadic ops, Where, logic, comparisons and
// bitwise ops. Integer edge cases follow C (truncating division, wrapping) and numpy.
import { intAttr, stringAttr } from '../../attrs.js';
import { type OpCase, bool, f32, i32, i64, tensor } from './case.js';

const u8 = (shape: number[], values: number[]) => tensor('uint8', shape, values);
const i8 = (shape: number[], values: number[]) => tensor('int8', shape, values);
const u32 = (shape: number[], values: number[]) => tensor('uint32', shape, values);
const u64 = (shape: number[], values: number[]) => tensor('uint64', shape, values);
const { NaN: nan } = Number;
const inf = Infinity;

export const ARITHMETIC_CASES: OpCase[] = [
  { name: 'add_broadcast_row', op: 'Add', inputs: [f32([2, 3], [0, 1, 2, 3, 4, 5]), f32([3], [10, 20, 30])], expect: [f32([2, 3], [10, 21, 32, 13, 24, 35])] },
  { name: 'add_scalar', op: 'Add', inputs: [f32([], [0.5]), f32([2], [1, -0.5])], expect: [f32([2], [1.5, 0])] },
  { name: 'add_int8_wraps', op: 'Add', inputs: [i8([1], [100]), i8([1], [100])], expect: [i8([1], [-56])] },
  { name: 'add_uint8_wraps', op: 'Add', inputs: [u8([1], [250]), u8([1], [10])], expect: [u8([1], [4])] },
  { name: 'add_bool', op: 'Add', inputs: [bool([1], [1]), bool([1], [1])], expect: { error: 'input 0 is bool' } },
  { name: 'add_mixed_dtypes', op: 'Add', inputs: [f32([1], [1]), i64([1], [1])], expect: { error: 'input 1 is int64' } },
  { name: 'add_bad_shapes', op: 'Add', inputs: [f32([2, 3], [0, 1, 2, 3, 4, 5]), f32([2], [1, 2])], expect: { error: 'cannot broadcast' } },
  { name: 'add_empty', op: 'Add', inputs: [f32([0, 3], []), f32([1, 3], [1, 2, 3])], expect: [f32([0, 3], [])] },
  { name: 'sub_outer', op: 'Sub', inputs: [f32([2], [1, 2]), f32([2, 1], [3, 4])], expect: [f32([2, 2], [-2, -1, -3, -2])] },
  { name: 'sub_zeros', op: 'Sub', inputs: [f32([2], [0, -0]), f32([2], [0, 0])], expect: [f32([2], [0, -0])] },
  { name: 'mul_float', op: 'Mul', inputs: [f32([3], [2, -0.5, inf]), f32([3], [3, 4, 0])], expect: [f32([3], [6, -2, nan])] },
  { name: 'mul_int32_wraps', op: 'Mul', inputs: [i32([2], [65536, 46341]), i32([2], [65536, 46341])], expect: [i32([2], [0, -2147479015])] },
  { name: 'mul_uint32_wraps', op: 'Mul', inputs: [u32([1], [4294967295]), u32([1], [3])], expect: [u32([1], [4294967293])] },
  { name: 'div_float_zero', op: 'Div', inputs: [f32([4], [1, -1, 0, 1]), f32([4], [0, 0, 0, -0])], expect: [f32([4], [inf, -inf, nan, -inf])] },
  { name: 'div_int32_truncates', op: 'Div', inputs: [i32([4], [7, -7, 7, -7]), i32([4], [2, 2, -2, -2])], expect: [i32([4], [3, -3, -3, 3])] },
  { name: 'div_int64_truncates', op: 'Div', inputs: [i64([3], [-1, 9007199254740991, -6]), i64([3], [3, 2, 3])], expect: [i64([3], [0, 4503599627370495, -2])] },
  { name: 'div_uint8', op: 'Div', inputs: [u8([1], [200]), u8([1], [7])], expect: [u8([1], [28])] },
  { name: 'div_int_by_zero', op: 'Div', inputs: [i32([1], [1]), i32([1], [0])], expect: { error: 'integer division by zero' } },
  { name: 'mod_int_python_sign', op: 'Mod', inputs: [i32([4], [7, -7, 7, -7]), i32([4], [3, 3, -3, -3])], expect: [i32([4], [1, 2, -2, -1])] },
  { name: 'mod_int_fmod_sign', op: 'Mod', attrs: { fmod: intAttr(1) }, inputs: [i32([4], [7, -7, 7, -7]), i32([4], [3, 3, -3, -3])], expect: [i32([4], [1, -1, 1, -1])] },
  { name: 'mod_int64_exact', op: 'Mod', inputs: [i64([2], [-6, 6]), i64([2], [3, -3])], expect: [i64([2], [0, 0])] },
  { name: 'mod_float_fmod', op: 'Mod', attrs: { fmod: intAttr(1) }, inputs: [f32([4], [5.5, -5.5, -0, 1]), f32([4], [2, 2, 3, 0])], expect: [f32([4], [1.5, -1.5, -0, nan])] },
  { name: 'mod_float_needs_fmod', op: 'Mod', inputs: [f32([1], [1]), f32([1], [2])], expect: { error: 'needs fmod=1' } },
  { name: 'mod_int_by_zero', op: 'Mod', inputs: [i32([1], [1]), i32([1], [0])], expect: { error: 'integer division by zero' } },
  { name: 'pow_float', op: 'Pow', inputs: [f32([6], [2, 4, -2, 1, nan, -1]), f32([6], [3, 0.5, 0.5, nan, 0, inf])], expect: [f32([6], [8, 2, nan, 1, 1, 1])] },
  { name: 'pow_int_exponent', op: 'Pow', inputs: [f32([2], [2, 3]), i64([2], [2, -1])], expect: [f32([2], [4, 1 / 3])] },
  { name: 'pow_int_base_float_exponent', op: 'Pow', inputs: [i32([2], [2, 3]), f32([2], [0.5, 2])], expect: [i32([2], [1, 9])] },
  { name: 'pow_int64', op: 'Pow', inputs: [i64([2, 1], [2, -3]), i64([2], [10, 3])], expect: [i64([2, 2], [1024, 8, 59049, -27])] },
  { name: 'pow_uint8_base', op: 'Pow', inputs: [u8([1], [2]), u8([1], [2])], expect: { error: 'X is uint8' } },

  { name: 'max_three_way', op: 'Max', inputs: [f32([2], [1, 5]), f32([2, 1], [3, 0]), f32([], [4])], expect: [f32([2, 2], [4, 5, 4, 5])] },
  { name: 'max_nan', op: 'Max', inputs: [f32([2], [1, nan]), f32([2], [nan, 2])], expect: [f32([2], [nan, nan])] },
  { name: 'max_int32', op: 'Max', inputs: [i32([2], [1, -5]), i32([2], [0, 7])], expect: [i32([2], [1, 7])] },
  { name: 'min_single', op: 'Min', inputs: [f32([2], [3, -1])], expect: [f32([2], [3, -1])] },
  { name: 'min_nan', op: 'Min', inputs: [f32([3], [1, nan, -inf]), f32([3], [2, 0, 0])], expect: [f32([3], [1, nan, -inf])] },
  { name: 'max_no_inputs', op: 'Max', inputs: [], expect: { error: 'needs at least one input' } },
  { name: 'sum_three', op: 'Sum', inputs: [f32([2], [1, 2]), f32([2], [3, 4]), f32([1], [5])], expect: [f32([2], [9, 11])] },
  { name: 'sum_int32', op: 'Sum', inputs: [i32([1], [1])], expect: { error: 'input 0 is int32' } },
  { name: 'mean_three', op: 'Mean', inputs: [f32([2], [1, 2]), f32([2], [3, 4]), f32([2, 1], [5, 8])], expect: [f32([2, 2], [3, 11 / 3, 4, 14 / 3])] },
  { name: 'mean_float16_accumulates_wide', op: 'Mean', inputs: [tensor('float16', [1], [65504]), tensor('float16', [1], [65504])], expect: [tensor('float16', [1], [65504])] },

  { name: 'prelu_channel', op: 'PRelu', inputs: [f32([2, 2], [-2, 3, -4, 5]), f32([2], [0.5, 0.1])], expect: [f32([2, 2], [-1, 3, -2, 5])] },
  { name: 'prelu_scalar_slope', op: 'PRelu', inputs: [f32([3], [-2, 0, 2]), f32([1], [0.25])], expect: [f32([3], [-0.5, 0, 2])] },
  { name: 'prelu_slope_grows_x', op: 'PRelu', inputs: [f32([2], [-1, 1]), f32([2, 2], [1, 2, 3, 4])], expect: { error: 'does not broadcast to X' } },

  { name: 'where_broadcast', op: 'Where', inputs: [bool([2, 1], [1, 0]), f32([3], [1, 2, 3]), f32([], [9])], expect: [f32([2, 3], [1, 2, 3, 9, 9, 9])] },
  { name: 'where_int64', op: 'Where', inputs: [bool([3], [0, 1, 0]), i64([3], [1, 2, 3]), i64([3], [-1, -2, -3])], expect: [i64([3], [-1, 2, -3])] },
  { name: 'where_float_condition', op: 'Where', inputs: [f32([1], [1]), f32([1], [1]), f32([1], [2])], expect: { error: 'condition is float32' } },
  { name: 'where_mixed_dtypes', op: 'Where', inputs: [bool([1], [1]), f32([1], [1]), i64([1], [2])], expect: { error: 'input 2 is int64' } },
];

export const LOGIC_CASES: OpCase[] = [
  { name: 'and', op: 'And', inputs: [bool([4], [0, 0, 1, 1]), bool([4], [0, 1, 0, 1])], expect: [bool([4], [0, 0, 0, 1])] },
  { name: 'or', op: 'Or', inputs: [bool([4], [0, 0, 1, 1]), bool([4], [0, 1, 0, 1])], expect: [bool([4], [0, 1, 1, 1])] },
  { name: 'xor_broadcast', op: 'Xor', inputs: [bool([2, 1], [0, 1]), bool([2], [0, 1])], expect: [bool([2, 2], [0, 1, 1, 0])] },
  { name: 'and_float', op: 'And', inputs: [f32([1], [1]), f32([1], [1])], expect: { error: 'And takes bool' } },
  { name: 'equal_float', op: 'Equal', inputs: [f32([3], [1, nan, 0]), f32([3], [1, nan, -0])], expect: [bool([3], [1, 0, 1])] },
  { name: 'equal_bool', op: 'Equal', inputs: [bool([2], [1, 0]), bool([], [1])], expect: [bool([2], [1, 0])] },
  { name: 'equal_int64', op: 'Equal', inputs: [i64([2], [2 ** 40, 3]), i64([2], [2 ** 40, 4])], expect: [bool([2], [1, 0])] },
  { name: 'less', op: 'Less', inputs: [f32([3], [1, 2, nan]), f32([3], [2, 2, 1])], expect: [bool([3], [1, 0, 0])] },
  { name: 'less_or_equal', op: 'LessOrEqual', inputs: [f32([3], [1, 2, nan]), f32([3], [2, 2, 1])], expect: [bool([3], [1, 1, 0])] },
  { name: 'greater', op: 'Greater', inputs: [i32([3], [1, 2, 3]), i32([], [2])], expect: [bool([3], [0, 0, 1])] },
  { name: 'greater_or_equal', op: 'GreaterOrEqual', inputs: [f32([3], [1, 2, nan]), f32([3], [2, 2, 1])], expect: [bool([3], [0, 1, 0])] },
  { name: 'less_bool', op: 'Less', inputs: [bool([1], [1]), bool([1], [0])], expect: { error: 'input 0 is bool' } },

  { name: 'bitshift_left_uint8', op: 'BitShift', attrs: { direction: stringAttr('LEFT') }, inputs: [u8([3], [1, 255, 3]), u8([3], [3, 1, 8])], expect: [u8([3], [8, 254, 0])] },
  { name: 'bitshift_right_uint32', op: 'BitShift', attrs: { direction: stringAttr('RIGHT') }, inputs: [u32([3], [4294967295, 16, 5]), u32([3], [31, 4, 40])], expect: [u32([3], [1, 1, 0])] },
  { name: 'bitshift_left_uint32_high', op: 'BitShift', attrs: { direction: stringAttr('LEFT') }, inputs: [u32([1], [3]), u32([1], [31])], expect: [u32([1], [2147483648])] },
  { name: 'bitshift_left_uint16', op: 'BitShift', attrs: { direction: stringAttr('LEFT') }, inputs: [tensor('uint16', [1], [1]), tensor('uint16', [1], [15])], expect: [tensor('uint16', [1], [32768])] },
  { name: 'bitshift_left_uint64', op: 'BitShift', attrs: { direction: stringAttr('LEFT') }, inputs: [u64([2], [1, 5]), u64([2], [40, 1])], expect: [u64([2], [2 ** 40, 10])] },
  { name: 'bitshift_bad_direction', op: 'BitShift', attrs: { direction: stringAttr('UP') }, inputs: [u8([1], [1]), u8([1], [1])], expect: { error: "direction must be 'LEFT' or 'RIGHT'" } },
  { name: 'bitshift_int32', op: 'BitShift', attrs: { direction: stringAttr('LEFT') }, inputs: [i32([1], [1]), i32([1], [1])], expect: { error: 'input 0 is int32' } },
  { name: 'bitwise_and', op: 'BitwiseAnd', inputs: [i32([2], [12, -1]), i32([2], [10, 7])], expect: [i32([2], [8, 7])] },
  { name: 'bitwise_or', op: 'BitwiseOr', inputs: [i32([2], [12, -1]), i32([2], [10, 7])], expect: [i32([2], [14, -1])] },
  { name: 'bitwise_xor', op: 'BitwiseXor', inputs: [i32([2], [12, -1]), i32([2], [10, 7])], expect: [i32([2], [6, -8])] },
  { name: 'bitwise_xor_uint8', op: 'BitwiseXor', inputs: [u8([1], [255]), u8([1], [15])], expect: [u8([1], [240])] },
  { name: 'bitwise_and_uint32', op: 'BitwiseAnd', inputs: [u32([1], [4294967295]), u32([1], [4294967294])], expect: [u32([1], [4294967294])] },
  { name: 'bitwise_and_int64', op: 'BitwiseAnd', inputs: [i64([2], [-1, 2 ** 40 + 5]), i64([2], [2 ** 40 + 5, 2 ** 40])], expect: [i64([2], [2 ** 40 + 5, 2 ** 40])] },
  { name: 'bitwise_or_float', op: 'BitwiseOr', inputs: [f32([1], [1]), f32([1], [1])], expect: { error: 'input 0 is float32' } },
];
