// Conformance cases: Concat, Split, Slice, Tile, Pad, SpaceToDepth, DepthToSpace.
// Expected values follow the ONNX spec (several are the spec's own examples).
import { intAttr, stringAttr } from '../../attrs.js';
import { INT64_MAX, type OpCase, f32, i64, iota, ints } from './case.js';

const m24 = f32([2, 4], [1, 2, 3, 4, 5, 6, 7, 8]);
const seq10 = iota([10]);

export const JOIN_CASES: OpCase[] = [
  { name: 'concat_axis1', op: 'Concat', attrs: { axis: intAttr(1) }, inputs: [f32([2, 2], [1, 2, 3, 4]), f32([2, 1], [5, 6])], expect: [f32([2, 3], [1, 2, 5, 3, 4, 6])] },
  { name: 'concat_negative_axis', op: 'Concat', attrs: { axis: intAttr(-1) }, inputs: [f32([2, 2], [1, 2, 3, 4]), f32([2, 1], [5, 6])], expect: [f32([2, 3], [1, 2, 5, 3, 4, 6])] },
  {
    name: 'concat_with_empty', op: 'Concat', attrs: { axis: intAttr(0) },
    inputs: [i64([1, 2], [1, 2]), i64([0, 2], []), i64([2, 2], [3, 4, 5, 6])], expect: [i64([3, 2], [1, 2, 3, 4, 5, 6])],
  },
  { name: 'concat_single', op: 'Concat', attrs: { axis: intAttr(0) }, inputs: [ints([4, 5])], expect: [ints([4, 5])] },
  { name: 'concat_mismatch', op: 'Concat', attrs: { axis: intAttr(0) }, inputs: [iota([2, 2]), iota([3, 3])], expect: { error: 'cannot concatenate' } },

  { name: 'split_sizes', op: 'Split', inputs: [iota([6]), ints([2, 4])], expect: [f32([2], [0, 1]), f32([4], [2, 3, 4, 5])] },
  { name: 'split_equal', op: 'Split', attrs: { axis: intAttr(1) }, inputs: [iota([2, 6])], expect: [f32([2, 2], [0, 1, 6, 7]), f32([2, 2], [2, 3, 8, 9]), f32([2, 2], [4, 5, 10, 11])] },
  { name: 'split_negative_axis', op: 'Split', attrs: { axis: intAttr(-1) }, inputs: [iota([2, 2]), ints([1, 1])], expect: [f32([2, 1], [0, 2]), f32([2, 1], [1, 3])] },
  { name: 'split_num_outputs_uneven', op: 'Split', attrs: { num_outputs: intAttr(3) }, inputs: [iota([7])], expect: [f32([3], [0, 1, 2]), f32([3], [3, 4, 5]), f32([1], [6])] },
  { name: 'split_num_outputs_empty_last', op: 'Split', attrs: { num_outputs: intAttr(4) }, inputs: [iota([6])], expect: [f32([2], [0, 1]), f32([2], [2, 3]), f32([2], [4, 5]), f32([0], [])] },
  { name: 'split_zero_size', op: 'Split', inputs: [iota([3]), ints([0, 3])], expect: [f32([0], []), f32([3], [0, 1, 2])] },
  { name: 'split_bad_sum', op: 'Split', outputs: 2, inputs: [iota([6]), ints([2, 2])], expect: { error: 'sums to 4' } },
];

export const SLICE_CASES: OpCase[] = [
  { name: 'slice_spec_example', op: 'Slice', inputs: [m24, ints([1, 0]), ints([2, 3]), ints([0, 1]), ints([1, 2])], expect: [f32([1, 2], [5, 7])] },
  { name: 'slice_huge_end', op: 'Slice', inputs: [m24, ints([0, 1]), ints([-1, 1000])], expect: [f32([1, 3], [2, 3, 4])] },
  { name: 'slice_int64_max_end', op: 'Slice', inputs: [seq10, ints([7]), ints([INT64_MAX])], expect: [f32([3], [7, 8, 9])] },
  { name: 'slice_reverse_all', op: 'Slice', inputs: [iota([5]), ints([-1]), ints([-INT64_MAX]), ints([0]), ints([-1])], expect: [f32([5], [4, 3, 2, 1, 0])] },
  { name: 'slice_negative_step', op: 'Slice', inputs: [seq10, ints([8]), ints([1]), null, ints([-2])], expect: [f32([4], [8, 6, 4, 2])] },
  { name: 'slice_negative_step_clamped', op: 'Slice', inputs: [iota([5]), ints([100]), ints([-100]), ints([0]), ints([-3])], expect: [f32([2], [4, 1])] },
  { name: 'slice_negative_axis', op: 'Slice', inputs: [m24, ints([-2]), ints([INT64_MAX]), ints([-1])], expect: [f32([2, 2], [3, 4, 7, 8])] },
  { name: 'slice_reverse_rows', op: 'Slice', inputs: [m24, ints([-1]), ints([-INT64_MAX]), ints([0]), ints([-1])], expect: [f32([2, 4], [5, 6, 7, 8, 1, 2, 3, 4])] },
  { name: 'slice_empty', op: 'Slice', inputs: [seq10, ints([10]), ints([20])], expect: [f32([0], [])] },
  { name: 'slice_start_after_end', op: 'Slice', inputs: [seq10, ints([5]), ints([2])], expect: [f32([0], [])] },
  { name: 'slice_zero_step', op: 'Slice', inputs: [seq10, ints([0]), ints([5]), ints([0]), ints([0])], expect: { error: 'step on axis 0 is 0' } },
  { name: 'slice_repeated_axis', op: 'Slice', inputs: [m24, ints([0, 0]), ints([1, 1]), ints([1, -1])], expect: { error: 'repeated axis' } },
];

export const LAYOUT_CASES: OpCase[] = [
  { name: 'tile_columns', op: 'Tile', inputs: [iota([2, 2]), ints([1, 2])], expect: [f32([2, 4], [0, 1, 0, 1, 2, 3, 2, 3])] },
  { name: 'tile_rows', op: 'Tile', inputs: [iota([2, 2]), ints([2, 1])], expect: [f32([4, 2], [0, 1, 2, 3, 0, 1, 2, 3])] },
  { name: 'tile_zero', op: 'Tile', inputs: [iota([2, 2]), ints([0, 1])], expect: [f32([0, 2], [])] },
  { name: 'tile_wrong_length', op: 'Tile', inputs: [iota([2, 2]), ints([2])], expect: { error: 'repeats has 1 entries for rank 2' } },

  { name: 'pad_constant_spec', op: 'Pad', inputs: [f32([3, 2], [1, 1.2, 2.3, 3.4, 4.5, 5.7]), ints([0, 2, 0, 0])], expect: [f32([3, 4], [0, 0, 1, 1.2, 0, 0, 2.3, 3.4, 0, 0, 4.5, 5.7])] },
  { name: 'pad_reflect_spec', op: 'Pad', attrs: { mode: stringAttr('reflect') }, inputs: [f32([3, 2], [1, 1.2, 2.3, 3.4, 4.5, 5.7]), ints([0, 2, 0, 0])], expect: [f32([3, 4], [1, 1.2, 1, 1.2, 2.3, 3.4, 2.3, 3.4, 4.5, 5.7, 4.5, 5.7])] },
  { name: 'pad_edge_spec', op: 'Pad', attrs: { mode: stringAttr('edge') }, inputs: [f32([3, 2], [1, 1.2, 2.3, 3.4, 4.5, 5.7]), ints([0, 2, 0, 0])], expect: [f32([3, 4], [1, 1, 1, 1.2, 2.3, 2.3, 2.3, 3.4, 4.5, 4.5, 4.5, 5.7])] },
  { name: 'pad_wrap', op: 'Pad', attrs: { mode: stringAttr('wrap') }, inputs: [f32([3], [1, 2, 3]), ints([2, 1])], expect: [f32([6], [2, 3, 1, 2, 3, 1])] },
  { name: 'pad_reflect_both', op: 'Pad', attrs: { mode: stringAttr('reflect') }, inputs: [f32([3], [1, 2, 3]), ints([2, 2])], expect: [f32([7], [3, 2, 1, 2, 3, 2, 1])] },
  { name: 'pad_value_axes', op: 'Pad', inputs: [f32([2, 2], [1, 2, 3, 4]), ints([1, 1]), f32([], [9]), ints([-1])], expect: [f32([2, 4], [9, 1, 2, 9, 9, 3, 4, 9])] },
  { name: 'pad_crop', op: 'Pad', inputs: [f32([4], [1, 2, 3, 4]), ints([-1, 2])], expect: [f32([5], [2, 3, 4, 0, 0])] },
  { name: 'pad_crop_then_wrap', op: 'Pad', attrs: { mode: stringAttr('wrap') }, inputs: [f32([4], [1, 2, 3, 4]), ints([-1, 1])], expect: [f32([4], [2, 3, 4, 2])] },
  { name: 'pad_int64_2d', op: 'Pad', attrs: { mode: stringAttr('edge') }, inputs: [i64([2, 2], [1, 2, 3, 4]), ints([1, 0, 0, 1])], expect: [i64([3, 3], [1, 2, 2, 1, 2, 2, 3, 4, 4])] },
  { name: 'pad_bad_mode', op: 'Pad', attrs: { mode: stringAttr('mirror') }, inputs: [f32([1], [1]), ints([1, 1])], expect: { error: "unknown mode 'mirror'" } },
  { name: 'pad_over_crop', op: 'Pad', inputs: [f32([2], [1, 2]), ints([-2, -1])], expect: { error: 'pads crop more than' } },

  {
    name: 'space_to_depth', op: 'SpaceToDepth', attrs: { blocksize: intAttr(2) }, inputs: [iota([1, 1, 4, 4])],
    expect: [f32([1, 4, 2, 2], [0, 2, 8, 10, 1, 3, 9, 11, 4, 6, 12, 14, 5, 7, 13, 15])],
  },
  {
    name: 'depth_to_space_dcr_spec', op: 'DepthToSpace', attrs: { blocksize: intAttr(2) },
    inputs: [f32([1, 8, 2, 3], Array.from({ length: 48 }, (_, i) => 9 * Math.floor(i / 6) + (i % 6)))],
    expect: [f32([1, 2, 4, 6], [
      0, 18, 1, 19, 2, 20, 36, 54, 37, 55, 38, 56, 3, 21, 4, 22, 5, 23, 39, 57, 40, 58, 41, 59,
      9, 27, 10, 28, 11, 29, 45, 63, 46, 64, 47, 65, 12, 30, 13, 31, 14, 32, 48, 66, 49, 67, 50, 68,
    ])],
  },
  {
    name: 'depth_to_space_crd_spec', op: 'DepthToSpace', attrs: { blocksize: intAttr(2), mode: stringAttr('CRD') }, inputs: [iota([1, 8, 2, 3])],
    expect: [f32([1, 2, 4, 6], [
      0, 6, 1, 7, 2, 8, 12, 18, 13, 19, 14, 20, 3, 9, 4, 10, 5, 11, 15, 21, 16, 22, 17, 23,
      24, 30, 25, 31, 26, 32, 36, 42, 37, 43, 38, 44, 27, 33, 28, 34, 29, 35, 39, 45, 40, 46, 41, 47,
    ])],
  },
  { name: 'space_to_depth_indivisible', op: 'SpaceToDepth', attrs: { blocksize: intAttr(2) }, inputs: [iota([1, 1, 3, 4])], expect: { error: 'height 3 is not divisible by 2' } },
];
