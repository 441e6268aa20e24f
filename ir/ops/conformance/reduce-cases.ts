// Conformance cases: reductions (both forms of axes, keepdims, noop_with_empty_axes, empty
// inputs) and ArgMax/ArgMin.
import { type AttrValue, intAttr, intsAttr } from '../../attrs.js';
import { type OpCase, bool, f32, i32, i64, iota, ints, tensor } from './case.js';

const { NaN: nan } = Number;
const inf = Infinity;
const keep = (k: 0 | 1): Record<string, AttrValue> => ({ keepdims: intAttr(k) });
const x23 = iota([2, 3]); // [[0, 1, 2], [3, 4, 5]]

export const REDUCE_CASES: OpCase[] = [
  { name: 'sum_axes_input', op: 'ReduceSum', inputs: [x23, ints([1])], expect: [f32([2, 1], [3, 12])] },
  { name: 'sum_axes_input_nokeep', op: 'ReduceSum', attrs: keep(0), inputs: [x23, ints([1])], expect: [f32([2], [3, 12])] },
  { name: 'sum_axes_attribute', op: 'ReduceSum', attrs: { axes: intsAttr([0]) }, inputs: [x23], expect: [f32([1, 3], [3, 5, 7])] },
  { name: 'sum_negative_axis', op: 'ReduceSum', attrs: keep(0), inputs: [x23, ints([-1])], expect: [f32([2], [3, 12])] },
  { name: 'sum_all_by_default', op: 'ReduceSum', inputs: [x23], expect: [f32([1, 1], [15])] },
  { name: 'sum_empty_axes_all', op: 'ReduceSum', attrs: keep(0), inputs: [x23, ints([])], expect: [f32([], [15])] },
  { name: 'sum_noop', op: 'ReduceSum', attrs: { noop_with_empty_axes: intAttr(1) }, inputs: [x23, ints([])], expect: [x23] },
  { name: 'sum_noop_absent_axes', op: 'ReduceSum', attrs: { noop_with_empty_axes: intAttr(1) }, inputs: [x23], expect: [x23] },
  { name: 'sum_both_axes_forms', op: 'ReduceSum', attrs: { axes: intsAttr([0]) }, inputs: [x23, ints([1])], expect: { error: 'both as an attribute and as an input' } },
  { name: 'sum_repeated_axis', op: 'ReduceSum', inputs: [x23, ints([1, -1])], expect: { error: 'repeated axis' } },
  { name: 'sum_axis_out_of_range', op: 'ReduceSum', inputs: [x23, ints([2])], expect: { error: 'axis 2 out of range' } },
  { name: 'sum_empty_input', op: 'ReduceSum', attrs: keep(0), inputs: [f32([0, 2], []), ints([0])], expect: [f32([2], [0, 0])] },
  { name: 'sum_int64', op: 'ReduceSum', attrs: keep(0), inputs: [i64([3], [2 ** 40, -5, 7])], expect: [i64([], [2 ** 40 + 2])] },
  { name: 'sum_bool', op: 'ReduceSum', inputs: [bool([2], [1, 0])], expect: { error: 'data is bool' } },
  { name: 'sum_float_axes', op: 'ReduceSum', inputs: [x23, f32([1], [0])], expect: { error: 'axes must be int64' } },
  { name: 'sum_scalar', op: 'ReduceSum', inputs: [f32([], [2.5])], expect: [f32([], [2.5])] },

  { name: 'mean_all', op: 'ReduceMean', attrs: keep(0), inputs: [x23, ints([0, 1])], expect: [f32([], [2.5])] },
  { name: 'mean_int32_truncates', op: 'ReduceMean', attrs: { axes: intsAttr([0]), keepdims: intAttr(0) }, inputs: [i32([2], [1, 2])], expect: [i32([], [1])] },
  { name: 'mean_empty_is_nan', op: 'ReduceMean', attrs: keep(0), inputs: [f32([0], []), ints([0])], expect: [f32([], [nan])] },
  { name: 'max_rows', op: 'ReduceMax', attrs: { axes: intsAttr([1]) }, inputs: [f32([2, 3], [1, 7, -2, -1, -5, -3])], expect: [f32([2, 1], [7, -1])] },
  { name: 'reduce_max_nan', op: 'ReduceMax', attrs: keep(0), inputs: [f32([3], [1, nan, 3])], expect: [f32([], [nan])] },
  { name: 'max_bool', op: 'ReduceMax', attrs: { axes: intsAttr([1]), keepdims: intAttr(0) }, inputs: [bool([2, 2], [0, 1, 0, 0])], expect: [bool([2], [1, 0])] },
  { name: 'max_int8', op: 'ReduceMax', attrs: keep(0), inputs: [tensor('int8', [2], [-100, -7])], expect: [tensor('int8', [], [-7])] },
  { name: 'max_empty_is_lowest', op: 'ReduceMax', attrs: keep(0), inputs: [f32([0, 2], []), ints([0])], expect: [f32([2], [-inf, -inf])] },
  { name: 'min_empty_int32_is_highest', op: 'ReduceMin', attrs: keep(0), inputs: [i32([2, 0], []), ints([1])], expect: [i32([2], [2147483647, 2147483647])] },
  { name: 'min_cols', op: 'ReduceMin', attrs: keep(0), inputs: [f32([2, 2], [1, -0, 4, 3]), ints([0])], expect: [f32([2], [1, -0])] },
  { name: 'prod_rows', op: 'ReduceProd', attrs: keep(0), inputs: [iota([2, 3], 'float32', 1), ints([1])], expect: [f32([2], [6, 120])] },
  { name: 'prod_empty_is_one', op: 'ReduceProd', attrs: keep(0), inputs: [f32([0], []), ints([0])], expect: [f32([], [1])] },
  { name: 'l1', op: 'ReduceL1', attrs: keep(0), inputs: [f32([3], [-1, 2, -3])], expect: [f32([], [6])] },
  { name: 'l2', op: 'ReduceL2', attrs: { axes: intsAttr([0]) }, inputs: [f32([2, 2], [3, 5, -4, 12])], expect: [f32([1, 2], [5, 13])] },
  { name: 'l2_scalar', op: 'ReduceL2', inputs: [f32([], [-3])], expect: [f32([], [3])] },
  { name: 'log_sum', op: 'ReduceLogSum', attrs: keep(0), inputs: [f32([3], [1, 2, 3])], expect: [f32([], [1.791759469228055])] },
  { name: 'log_sum_empty', op: 'ReduceLogSum', attrs: keep(0), inputs: [f32([0], []), ints([0])], expect: [f32([], [-inf])] },
  { name: 'log_sum_exp_stable', op: 'ReduceLogSumExp', attrs: keep(0), inputs: [f32([2], [1000, 1000])], expect: [f32([], [1000.6931471805599])] },
  { name: 'log_sum_exp_rows', op: 'ReduceLogSumExp', attrs: keep(0), inputs: [f32([2, 2], [0, 0, -inf, -inf]), ints([1])], expect: [f32([2], [Math.LN2, -inf])] },
  { name: 'log_sum_exp_inf', op: 'ReduceLogSumExp', attrs: keep(0), inputs: [f32([2], [inf, 1])], expect: [f32([], [inf])] },
  { name: 'sum_square', op: 'ReduceSumSquare', attrs: keep(0), inputs: [f32([3], [1, -2, 3])], expect: [f32([], [14])] },
  { name: 'sum_square_uint32', op: 'ReduceSumSquare', attrs: keep(0), inputs: [tensor('uint32', [2], [3, 4])], expect: [tensor('uint32', [], [25])] },

  { name: 'argmax_rows', op: 'ArgMax', attrs: { axis: intAttr(1) }, inputs: [f32([2, 3], [1, 5, 5, 7, 2, 7])], expect: [i64([2, 1], [1, 0])] },
  { name: 'argmax_last', op: 'ArgMax', attrs: { axis: intAttr(1), select_last_index: intAttr(1) }, inputs: [f32([2, 3], [1, 5, 5, 7, 2, 7])], expect: [i64([2, 1], [2, 2])] },
  { name: 'argmax_cols', op: 'ArgMax', attrs: keep(0), inputs: [f32([2, 3], [1, 5, 5, 7, 2, 7])], expect: [i64([3], [1, 0, 1])] },
  { name: 'argmin_rows', op: 'ArgMin', attrs: { axis: intAttr(-1) }, inputs: [i32([2, 3], [1, 5, 1, 7, 2, 7])], expect: [i64([2, 1], [0, 1])] },
  { name: 'argmin_last', op: 'ArgMin', attrs: { axis: intAttr(-1), select_last_index: intAttr(1), keepdims: intAttr(0) }, inputs: [i32([2, 3], [1, 5, 1, 7, 2, 7])], expect: [i64([2], [2, 1])] },
  { name: 'argmax_nan_wins', op: 'ArgMax', inputs: [f32([4], [1, nan, 3, nan])], expect: [i64([1], [1])] },
  { name: 'argmin_nan_wins_last', op: 'ArgMin', attrs: { select_last_index: intAttr(1) }, inputs: [f32([4], [1, nan, -3, nan])], expect: [i64([1], [3])] },
  { name: 'argmax_bad_axis', op: 'ArgMax', attrs: { axis: intAttr(2) }, inputs: [x23], expect: { error: 'axis 2 out of range' } },
];
