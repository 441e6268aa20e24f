// Conformance cases: Constant, ConstantOfShape, Shape, Size, Range, EyeLike, Reshape,
// Flatten, Transpose, Squeeze, Unsqueeze, Expand. Expected values follow the ONNX spec
// (several are the spec's own examples).
import { type AttrValue, floatAttr, intAttr, intsAttr, stringAttr, tensorAttr } from '../../attrs.js';
import { makeTensor } from '../../tensor.js';
import { type OpCase, bool, f32, i32, i64, iota, ints } from './case.js';

const floats = (value: number[]): AttrValue => ({ kind: 'floats', value });

export const CREATE_CASES: OpCase[] = [
  { name: 'constant_floats', op: 'Constant', attrs: { value_floats: floats([1.5, -2]) }, inputs: [], expect: [f32([2], [1.5, -2])] },
  { name: 'constant_float', op: 'Constant', attrs: { value_float: floatAttr(0.1) }, inputs: [], expect: [f32([], [0.1])] },
  { name: 'constant_int', op: 'Constant', attrs: { value_int: intAttr(7) }, inputs: [], expect: [i64([], [7])] },
  { name: 'constant_ints', op: 'Constant', attrs: { value_ints: intsAttr([3, -4]) }, inputs: [], expect: [i64([2], [3, -4])] },
  { name: 'constant_tensor', op: 'Constant', attrs: { value: tensorAttr(makeTensor('int32', [2, 2], [1, 2, 3, 4])) }, inputs: [], expect: [i32([2, 2], [1, 2, 3, 4])] },
  { name: 'constant_string', op: 'Constant', attrs: { value_string: stringAttr('hi') }, inputs: [], expect: { error: 'string constants are not supported' } },
  { name: 'constant_sparse', op: 'Constant', attrs: { sparse_value: tensorAttr(makeTensor('float32', [1], [1])) }, inputs: [], expect: { error: 'sparse_value is not supported' } },
  { name: 'constant_two_values', op: 'Constant', attrs: { value_int: intAttr(1), value_float: floatAttr(1) }, inputs: [], expect: { error: 'exactly one value attribute' } },

  { name: 'cos_value', op: 'ConstantOfShape', attrs: { value: tensorAttr(makeTensor('int64', [1], [5])) }, inputs: [ints([2, 3])], expect: [i64([2, 3], [5, 5, 5, 5, 5, 5])] },
  { name: 'cos_default', op: 'ConstantOfShape', inputs: [ints([2])], expect: [f32([2], [0, 0])] },
  { name: 'cos_scalar', op: 'ConstantOfShape', attrs: { value: tensorAttr(makeTensor('float32', [1], [3.5])) }, inputs: [ints([])], expect: [f32([], [3.5])] },
  { name: 'cos_empty', op: 'ConstantOfShape', attrs: { value: tensorAttr(makeTensor('bool', [1], [1])) }, inputs: [ints([0, 3])], expect: [bool([0, 3], [])] },

  { name: 'shape_all', op: 'Shape', inputs: [iota([2, 3, 4])], expect: [ints([2, 3, 4])] },
  { name: 'shape_start', op: 'Shape', attrs: { start: intAttr(1) }, inputs: [iota([2, 3, 4])], expect: [ints([3, 4])] },
  { name: 'shape_negative_start', op: 'Shape', attrs: { start: intAttr(-1) }, inputs: [iota([2, 3, 4])], expect: [ints([4])] },
  { name: 'shape_negative_end', op: 'Shape', attrs: { end: intAttr(-1) }, inputs: [iota([2, 3, 4])], expect: [ints([2, 3])] },
  { name: 'shape_clamped', op: 'Shape', attrs: { start: intAttr(-10), end: intAttr(10) }, inputs: [iota([2, 3, 4])], expect: [ints([2, 3, 4])] },
  { name: 'shape_start_after_end', op: 'Shape', attrs: { start: intAttr(2), end: intAttr(1) }, inputs: [iota([2, 3, 4])], expect: [ints([])] },
  { name: 'shape_scalar', op: 'Shape', inputs: [f32([], [1])], expect: [ints([])] },

  { name: 'size_3d', op: 'Size', inputs: [iota([2, 3, 4])], expect: [i64([], [24])] },
  { name: 'size_scalar', op: 'Size', inputs: [f32([], [2])], expect: [i64([], [1])] },
  { name: 'size_empty', op: 'Size', inputs: [f32([0, 3], [])], expect: [i64([], [0])] },

  { name: 'range_int32', op: 'Range', inputs: [i32([], [3]), i32([], [9]), i32([], [3])], expect: [i32([2], [3, 6])] },
  { name: 'range_negative_delta', op: 'Range', inputs: [i64([], [10]), i64([], [4]), i64([], [-3])], expect: [i64([2], [10, 7])] },
  { name: 'range_float', op: 'Range', inputs: [f32([], [1]), f32([], [2]), f32([], [0.25])], expect: [f32([4], [1, 1.25, 1.5, 1.75])] },
  { name: 'range_empty', op: 'Range', inputs: [f32([], [5]), f32([], [1]), f32([], [1])], expect: [f32([0], [])] },
  { name: 'range_zero_delta', op: 'Range', inputs: [i64([], [0]), i64([], [4]), i64([], [0])], expect: { error: 'delta must be finite and non-zero' } },

  { name: 'eyelike_k1', op: 'EyeLike', attrs: { k: intAttr(1) }, inputs: [iota([3, 4])], expect: [f32([3, 4], [0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1])] },
  { name: 'eyelike_negative_k', op: 'EyeLike', attrs: { k: intAttr(-1) }, inputs: [iota([3, 3])], expect: [f32([3, 3], [0, 0, 0, 1, 0, 0, 0, 1, 0])] },
  { name: 'eyelike_dtype', op: 'EyeLike', attrs: { dtype: intAttr(7) }, inputs: [iota([2, 2])], expect: [i64([2, 2], [1, 0, 0, 1])] },
  { name: 'eyelike_1d', op: 'EyeLike', inputs: [iota([3])], expect: { error: 'input must be 2-D' } },
];

const x234 = iota([2, 3, 4]);

export const RESHAPE_CASES: OpCase[] = [
  { name: 'reshape_infer', op: 'Reshape', inputs: [x234, ints([4, -1])], expect: [iota([4, 6])] },
  { name: 'reshape_copy_zero', op: 'Reshape', inputs: [x234, ints([0, -1])], expect: [iota([2, 12])] },
  { name: 'reshape_zero_and_infer', op: 'Reshape', inputs: [x234, ints([2, 0, -1])], expect: [iota([2, 3, 4])] },
  { name: 'reshape_flat', op: 'Reshape', inputs: [x234, ints([-1])], expect: [iota([24])] },
  { name: 'reshape_to_scalar', op: 'Reshape', inputs: [f32([1, 1], [7]), ints([])], expect: [f32([], [7])] },
  { name: 'reshape_allowzero_empty', op: 'Reshape', attrs: { allowzero: intAttr(1) }, inputs: [f32([3, 0], []), ints([0, 3])], expect: [f32([0, 3], [])] },
  { name: 'reshape_zero_copies_without_allowzero', op: 'Reshape', inputs: [f32([3, 0], []), ints([0, 3])], expect: { error: 'element counts differ' } },
  { name: 'reshape_two_infers', op: 'Reshape', inputs: [x234, ints([-1, -1])], expect: { error: 'more than one -1' } },
  { name: 'reshape_mismatch', op: 'Reshape', inputs: [x234, ints([5, 5])], expect: { error: 'element counts differ' } },
  { name: 'reshape_bool', op: 'Reshape', inputs: [bool([2, 2], [1, 0, 0, 1]), ints([4])], expect: [bool([4], [1, 0, 0, 1])] },

  { name: 'flatten_axis1', op: 'Flatten', inputs: [x234], expect: [iota([2, 12])] },
  { name: 'flatten_axis0', op: 'Flatten', attrs: { axis: intAttr(0) }, inputs: [x234], expect: [iota([1, 24])] },
  { name: 'flatten_negative_axis', op: 'Flatten', attrs: { axis: intAttr(-1) }, inputs: [x234], expect: [iota([6, 4])] },
  { name: 'flatten_axis_rank', op: 'Flatten', attrs: { axis: intAttr(3) }, inputs: [x234], expect: [iota([24, 1])] },
  { name: 'flatten_axis_out_of_range', op: 'Flatten', attrs: { axis: intAttr(4) }, inputs: [x234], expect: { error: 'axis 4 out of range' } },

  { name: 'transpose_default', op: 'Transpose', inputs: [iota([2, 3])], expect: [f32([3, 2], [0, 3, 1, 4, 2, 5])] },
  {
    name: 'transpose_perm', op: 'Transpose', attrs: { perm: intsAttr([1, 0, 2]) }, inputs: [x234],
    expect: [f32([3, 2, 4], [0, 1, 2, 3, 12, 13, 14, 15, 4, 5, 6, 7, 16, 17, 18, 19, 8, 9, 10, 11, 20, 21, 22, 23])],
  },
  { name: 'transpose_bool', op: 'Transpose', inputs: [bool([2, 2], [1, 1, 0, 0])], expect: [bool([2, 2], [1, 0, 1, 0])] },
  { name: 'transpose_empty', op: 'Transpose', inputs: [f32([0, 3], [])], expect: [f32([3, 0], [])] },
  { name: 'transpose_bad_perm', op: 'Transpose', attrs: { perm: intsAttr([0, 0]) }, inputs: [iota([2, 3])], expect: { error: 'not a permutation' } },

  { name: 'squeeze_axes', op: 'Squeeze', inputs: [iota([1, 3, 1, 2]), ints([0, -2])], expect: [iota([3, 2])] },
  { name: 'squeeze_all', op: 'Squeeze', inputs: [iota([1, 3, 1, 2]), null], expect: [iota([3, 2])] },
  { name: 'squeeze_to_scalar', op: 'Squeeze', inputs: [f32([1, 1], [4])], expect: [f32([], [4])] },
  { name: 'squeeze_not_one', op: 'Squeeze', inputs: [iota([1, 3]), ints([1])], expect: { error: 'cannot squeeze axis 1 of size 3' } },

  { name: 'unsqueeze_two', op: 'Unsqueeze', inputs: [iota([3, 4]), ints([0, 3])], expect: [iota([1, 3, 4, 1])] },
  { name: 'unsqueeze_negative', op: 'Unsqueeze', inputs: [iota([3, 4]), ints([-1])], expect: [iota([3, 4, 1])] },
  { name: 'unsqueeze_mixed', op: 'Unsqueeze', inputs: [iota([3, 4]), ints([1, -1])], expect: [iota([3, 1, 4, 1])] },
  { name: 'unsqueeze_scalar', op: 'Unsqueeze', inputs: [f32([], [2]), ints([0])], expect: [f32([1], [2])] },
  { name: 'unsqueeze_repeated', op: 'Unsqueeze', inputs: [iota([3]), ints([0, 0])], expect: { error: 'repeated axis' } },

  {
    name: 'expand_grow', op: 'Expand', inputs: [f32([3, 1], [1, 2, 3]), ints([2, 1, 4])],
    expect: [f32([2, 3, 4], [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3])],
  },
  { name: 'expand_keeps_dim_for_one', op: 'Expand', inputs: [f32([3], [1, 2, 3]), ints([1])], expect: [f32([3], [1, 2, 3])] },
  { name: 'expand_both_ways', op: 'Expand', inputs: [i64([1, 2], [5, 6]), ints([3, 1])], expect: [i64([3, 2], [5, 6, 5, 6, 5, 6])] },
  { name: 'expand_to_empty', op: 'Expand', inputs: [f32([1, 1], [1]), ints([0, 3])], expect: [f32([0, 3], [])] },
  { name: 'expand_incompatible', op: 'Expand', inputs: [f32([3], [1, 2, 3]), ints([2])], expect: { error: 'cannot broadcast' } },
];

