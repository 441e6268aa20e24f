// Conformance cases: Gather, GatherElements, GatherND, ScatterND, ScatterElements,
// Compress, OneHot. Expected values follow the ONNX spec (several are its own examples).
import { intAttr, stringAttr } from '../../attrs.js';
import { type OpCase, bool, f32, i32, i64, iota } from './case.js';

const m33 = f32([3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
const cube = f32([2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7]);
const row5 = f32([1, 5], [1, 2, 3, 4, 5]);
const reduce = (reduction: string) => ({ reduction: stringAttr(reduction) });

export const GATHER_CASES: OpCase[] = [
  {
    name: 'gather_axis0_spec', op: 'Gather', inputs: [f32([3, 2], [1, 1.2, 2.3, 3.4, 4.5, 5.7]), i64([2, 2], [0, 1, 1, 2])],
    expect: [f32([2, 2, 2], [1, 1.2, 2.3, 3.4, 2.3, 3.4, 4.5, 5.7])],
  },
  {
    name: 'gather_axis1_spec', op: 'Gather', attrs: { axis: intAttr(1) }, inputs: [f32([3, 3], [1, 1.2, 1.9, 2.3, 3.4, 3.9, 4.5, 5.7, 5.9]), i64([1, 2], [0, 2])],
    expect: [f32([3, 1, 2], [1, 1.9, 2.3, 3.9, 4.5, 5.9])],
  },
  { name: 'gather_negative_indices', op: 'Gather', inputs: [iota([10]), i64([3], [0, -9, -10])], expect: [f32([3], [0, 1, 0])] },
  { name: 'gather_negative_axis', op: 'Gather', attrs: { axis: intAttr(-1) }, inputs: [iota([2, 3]), i32([2], [2, 0])], expect: [f32([2, 2], [2, 0, 5, 3])] },
  { name: 'gather_scalar_index', op: 'Gather', inputs: [iota([3, 2]), i64([], [1])], expect: [f32([2], [2, 3])] },
  { name: 'gather_empty_indices', op: 'Gather', inputs: [iota([3, 2]), i64([0], [])], expect: [f32([0, 2], [])] },
  { name: 'gather_bool_data', op: 'Gather', inputs: [bool([3], [1, 0, 1]), i64([2], [1, 2])], expect: [bool([2], [0, 1])] },
  { name: 'gather_out_of_range', op: 'Gather', inputs: [iota([3]), i64([1], [3])], expect: { error: 'index 3 is out of range for size 3' } },

  { name: 'gather_elements_axis1_spec', op: 'GatherElements', attrs: { axis: intAttr(1) }, inputs: [f32([2, 2], [1, 2, 3, 4]), i64([2, 2], [0, 0, 1, 0])], expect: [f32([2, 2], [1, 1, 4, 3])] },
  { name: 'gather_elements_axis0_spec', op: 'GatherElements', inputs: [m33, i64([2, 3], [1, 2, 0, 2, 0, 0])], expect: [f32([2, 3], [4, 8, 3, 7, 2, 3])] },
  { name: 'gather_elements_negative', op: 'GatherElements', inputs: [m33, i32([2, 3], [-1, -2, 0, -2, 0, 0])], expect: [f32([2, 3], [7, 5, 3, 4, 2, 3])] },
  { name: 'gather_elements_out_of_range', op: 'GatherElements', inputs: [m33, i64([1, 1], [-4])], expect: { error: 'index -4 is out of range' } },

  { name: 'gather_nd_elements', op: 'GatherND', inputs: [f32([2, 2], [0, 1, 2, 3]), i64([2, 2], [0, 0, 1, 1])], expect: [f32([2], [0, 3])] },
  { name: 'gather_nd_rows', op: 'GatherND', inputs: [f32([2, 2], [0, 1, 2, 3]), i64([2, 1], [1, 0])], expect: [f32([2, 2], [2, 3, 0, 1])] },
  { name: 'gather_nd_3d', op: 'GatherND', inputs: [cube, i64([2, 2], [0, 1, 1, 0])], expect: [f32([2, 2], [2, 3, 4, 5])] },
  { name: 'gather_nd_nested', op: 'GatherND', inputs: [cube, i64([2, 1, 2], [0, 1, 1, 0])], expect: [f32([2, 1, 2], [2, 3, 4, 5])] },
  { name: 'gather_nd_batch_dims', op: 'GatherND', attrs: { batch_dims: intAttr(1) }, inputs: [cube, i64([2, 1], [1, 0])], expect: [f32([2, 2], [2, 3, 4, 5])] },
  { name: 'gather_nd_negative', op: 'GatherND', inputs: [f32([2, 2], [0, 1, 2, 3]), i64([1, 2], [-1, 0])], expect: [f32([1], [2])] },
  { name: 'gather_nd_out_of_range', op: 'GatherND', inputs: [f32([2, 2], [0, 1, 2, 3]), i64([1, 2], [0, 2])], expect: { error: 'out of range for size 2' } },

  { name: 'compress_axis0_spec', op: 'Compress', attrs: { axis: intAttr(0) }, inputs: [iota([3, 2], 'float32', 1), bool([3], [0, 1, 1])], expect: [f32([2, 2], [3, 4, 5, 6])] },
  { name: 'compress_axis1_spec', op: 'Compress', attrs: { axis: intAttr(1) }, inputs: [iota([3, 2], 'float32', 1), bool([2], [0, 1])], expect: [f32([3, 1], [2, 4, 6])] },
  { name: 'compress_flat', op: 'Compress', inputs: [iota([3, 2], 'float32', 1), bool([5], [0, 1, 0, 0, 1])], expect: [f32([2], [2, 5])] },
  { name: 'compress_short_condition', op: 'Compress', attrs: { axis: intAttr(-2) }, inputs: [iota([3, 2], 'float32', 1), bool([2], [0, 1])], expect: [f32([1, 2], [3, 4])] },
  { name: 'compress_none', op: 'Compress', attrs: { axis: intAttr(0) }, inputs: [iota([3, 2]), bool([3], [0, 0, 0])], expect: [f32([0, 2], [])] },
  { name: 'compress_long_condition', op: 'Compress', attrs: { axis: intAttr(0) }, inputs: [iota([1, 2]), bool([2], [1, 1])], expect: { error: 'condition has 2 entries' } },

  { name: 'one_hot_last', op: 'OneHot', inputs: [i64([4], [0, 2, -1, 5]), f32([], [3]), f32([2], [0, 1])], expect: [f32([4, 3], [1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0])] },
  { name: 'one_hot_axis0', op: 'OneHot', attrs: { axis: intAttr(0) }, inputs: [i64([2], [1, 0]), i64([1], [3]), i32([2], [2, 7])], expect: [i32([3, 2], [2, 7, 7, 2, 2, 2])] },
  { name: 'one_hot_float_indices', op: 'OneHot', attrs: { axis: intAttr(1) }, inputs: [f32([2, 2], [1, 0, 1, 1]), f32([], [2]), f32([2], [-1, 4])], expect: [f32([2, 2, 2], [-1, 4, 4, -1, -1, -1, 4, 4])] },
];

export const SCATTER_CASES: OpCase[] = [
  { name: 'scatter_nd_spec', op: 'ScatterND', inputs: [iota([8], 'float32', 1), i64([4, 1], [4, 3, 1, 7]), f32([4], [9, 10, 11, 12])], expect: [f32([8], [1, 11, 3, 10, 9, 6, 7, 12])] },
  { name: 'scatter_nd_slices', op: 'ScatterND', inputs: [iota([3, 2], 'float32', 1), i64([2, 1], [2, 0]), f32([2, 2], [7, 8, 9, 10])], expect: [f32([3, 2], [9, 10, 3, 4, 7, 8])] },
  { name: 'scatter_nd_negative', op: 'ScatterND', inputs: [iota([2, 2], 'float32', 1), i64([1, 2], [-1, -2]), f32([1], [9])], expect: [f32([2, 2], [1, 2, 9, 4])] },
  { name: 'scatter_nd_add', op: 'ScatterND', attrs: reduce('add'), inputs: [iota([4], 'float32', 1), i64([3, 1], [1, 1, 3]), f32([3], [10, 20, 30])], expect: [f32([4], [1, 32, 3, 34])] },
  { name: 'scatter_nd_mul', op: 'ScatterND', attrs: reduce('mul'), inputs: [iota([4], 'int64', 1), i64([3, 1], [1, 1, 3]), i64([3], [10, 20, 30])], expect: [i64([4], [1, 400, 3, 120])] },
  { name: 'scatter_nd_max', op: 'ScatterND', attrs: reduce('max'), inputs: [iota([4], 'float32', 1), i64([3, 1], [1, 1, 3]), f32([3], [10, 1, 0])], expect: [f32([4], [1, 10, 3, 4])] },
  { name: 'scatter_nd_min', op: 'ScatterND', attrs: reduce('min'), inputs: [iota([4], 'int32', 1), i64([3, 1], [1, 1, 3]), i32([3], [0, -5, 7])], expect: [i32([4], [1, -5, 3, 4])] },
  { name: 'scatter_nd_bad_updates', op: 'ScatterND', inputs: [iota([4]), i64([2, 1], [0, 1]), f32([3], [1, 2, 3])], expect: { error: 'updates [3] should be [2]' } },
  { name: 'scatter_nd_bad_reduction', op: 'ScatterND', attrs: reduce('mean'), inputs: [iota([4]), i64([1, 1], [0]), f32([1], [1])], expect: { error: "unknown reduction 'mean'" } },

  {
    name: 'scatter_elements_axis0_spec', op: 'ScatterElements', inputs: [f32([3, 3], [0, 0, 0, 0, 0, 0, 0, 0, 0]), i64([2, 3], [1, 0, 2, 0, 2, 1]), f32([2, 3], [1, 1.1, 1.2, 2, 2.1, 2.2])],
    expect: [f32([3, 3], [2, 1.1, 0, 1, 0, 2.2, 0, 2.1, 1.2])],
  },
  { name: 'scatter_elements_axis1_spec', op: 'ScatterElements', attrs: { axis: intAttr(1) }, inputs: [row5, i64([1, 2], [1, 3]), f32([1, 2], [1.1, 2.1])], expect: [f32([1, 5], [1, 1.1, 3, 2.1, 5])] },
  { name: 'scatter_elements_negative', op: 'ScatterElements', attrs: { axis: intAttr(-1) }, inputs: [row5, i32([1, 2], [1, -3]), f32([1, 2], [1.1, 2.1])], expect: [f32([1, 5], [1, 1.1, 2.1, 4, 5])] },
  { name: 'scatter_elements_add', op: 'ScatterElements', attrs: { axis: intAttr(1), ...reduce('add') }, inputs: [row5, i64([1, 2], [1, 1]), f32([1, 2], [1.5, 2])], expect: [f32([1, 5], [1, 5.5, 3, 4, 5])] },
  { name: 'scatter_elements_mul', op: 'ScatterElements', attrs: { axis: intAttr(1), ...reduce('mul') }, inputs: [row5, i64([1, 2], [1, 1]), f32([1, 2], [1.5, 2])], expect: [f32([1, 5], [1, 6, 3, 4, 5])] },
  { name: 'scatter_elements_max', op: 'ScatterElements', attrs: { axis: intAttr(1), ...reduce('max') }, inputs: [row5, i64([1, 2], [1, 4]), f32([1, 2], [1.5, 7])], expect: [f32([1, 5], [1, 2, 3, 4, 7])] },
  { name: 'scatter_elements_min', op: 'ScatterElements', attrs: { axis: intAttr(1), ...reduce('min') }, inputs: [row5, i64([1, 2], [1, 4]), f32([1, 2], [-1, 7])], expect: [f32([1, 5], [1, -1, 3, 4, 5])] },
  { name: 'scatter_elements_out_of_range', op: 'ScatterElements', inputs: [row5, i64([1, 1], [1]), f32([1, 1], [0])], expect: { error: 'index 1 is out of range for size 1' } },
];

