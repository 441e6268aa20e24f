// Conformance cases: TopK, Unique, NonZero, CumSum, Trilu, ReverseSequence.
// Expected values follow the ONNX spec (several are its own examples).
import { intAttr } from '../../attrs.js';
import { type OpCase, bool, f32, i32, i64, iota, ints } from './case.js';

const m33 = iota([3, 3], 'float32', 1);
const m44 = iota([4, 4]);
const attrs = (entries: Record<string, number>) => Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, intAttr(v)]));

export const ORDER_CASES: OpCase[] = [
  { name: 'topk_spec', op: 'TopK', attrs: attrs({ axis: 1 }), inputs: [iota([3, 4]), ints([3])], expect: [f32([3, 3], [3, 2, 1, 7, 6, 5, 11, 10, 9]), i64([3, 3], [3, 2, 1, 3, 2, 1, 3, 2, 1])] },
  { name: 'topk_smallest', op: 'TopK', attrs: attrs({ largest: 0 }), inputs: [iota([3, 4]), ints([2])], expect: [f32([3, 2], [0, 1, 4, 5, 8, 9]), i64([3, 2], [0, 1, 0, 1, 0, 1])] },
  { name: 'topk_ties_largest', op: 'TopK', inputs: [f32([5], [1, 3, 3, 2, 3]), ints([3])], expect: [f32([3], [3, 3, 3]), i64([3], [1, 2, 4])] },
  { name: 'topk_ties_smallest', op: 'TopK', attrs: attrs({ largest: 0 }), inputs: [i32([4], [2, 1, 1, 3]), ints([2])], expect: [i32([2], [1, 1]), i64([2], [1, 2])] },
  { name: 'topk_axis0', op: 'TopK', attrs: attrs({ axis: -2 }), inputs: [f32([3, 2], [3, 1, 1, 4, 2, 2]), ints([2])], expect: [f32([2, 2], [3, 4, 2, 2]), i64([2, 2], [0, 1, 2, 2])] },
  { name: 'topk_zero', op: 'TopK', inputs: [iota([2, 3]), ints([0])], expect: [f32([2, 0], []), i64([2, 0], [])] },
  { name: 'topk_too_many', op: 'TopK', outputs: 2, inputs: [iota([3]), ints([4])], expect: { error: 'k = 4 is larger than the axis (3)' } },

  {
    name: 'unique_sorted_spec', op: 'Unique', inputs: [f32([6], [2, 1, 1, 3, 4, 3])],
    expect: [f32([4], [1, 2, 3, 4]), ints([1, 0, 3, 4]), ints([1, 0, 0, 2, 3, 2]), ints([2, 1, 2, 1])],
  },
  {
    name: 'unique_unsorted_spec', op: 'Unique', attrs: attrs({ sorted: 0 }), inputs: [f32([6], [2, 1, 1, 3, 4, 3])],
    expect: [f32([4], [2, 1, 3, 4]), ints([0, 1, 3, 4]), ints([0, 1, 1, 2, 3, 2]), ints([1, 2, 2, 1])],
  },
  {
    name: 'unique_axis0_spec', op: 'Unique', attrs: attrs({ axis: 0 }), inputs: [i64([3, 3], [1, 0, 0, 1, 0, 0, 2, 3, 4])],
    expect: [i64([2, 3], [1, 0, 0, 2, 3, 4]), ints([0, 2]), ints([0, 0, 1]), ints([2, 1])],
  },
  {
    name: 'unique_axis1_spec', op: 'Unique', attrs: attrs({ axis: 1 }), inputs: [f32([2, 4, 2], [1, 1, 0, 1, 2, 1, 0, 1, 1, 1, 0, 1, 2, 1, 0, 1])],
    expect: [f32([2, 3, 2], [0, 1, 1, 1, 2, 1, 0, 1, 1, 1, 2, 1]), ints([1, 0, 2]), ints([1, 0, 2, 0]), ints([2, 1, 1])],
  },
  { name: 'unique_2d_flattened', op: 'Unique', inputs: [i32([2, 2], [5, -1, 5, 0])], expect: [i32([3], [-1, 0, 5])] },

  { name: 'nonzero_spec', op: 'NonZero', inputs: [f32([2, 2], [1, 0, 1, 1])], expect: [i64([2, 3], [0, 1, 1, 0, 0, 1])] },
  { name: 'nonzero_bool', op: 'NonZero', inputs: [bool([3], [0, 1, 1])], expect: [i64([1, 2], [1, 2])] },
  { name: 'nonzero_none', op: 'NonZero', inputs: [i32([2, 2], [0, 0, 0, 0])], expect: [i64([2, 0], [])] },
  { name: 'nonzero_scalar', op: 'NonZero', inputs: [f32([], [3])], expect: [i64([1, 1], [0])] },

  { name: 'cumsum_plain', op: 'CumSum', inputs: [iota([5], 'float32', 1), i64([], [0])], expect: [f32([5], [1, 3, 6, 10, 15])] },
  { name: 'cumsum_exclusive', op: 'CumSum', attrs: attrs({ exclusive: 1 }), inputs: [iota([5], 'float32', 1), i64([], [0])], expect: [f32([5], [0, 1, 3, 6, 10])] },
  { name: 'cumsum_reverse', op: 'CumSum', attrs: attrs({ reverse: 1 }), inputs: [iota([5], 'float32', 1), i64([], [0])], expect: [f32([5], [15, 14, 12, 9, 5])] },
  { name: 'cumsum_reverse_exclusive', op: 'CumSum', attrs: attrs({ reverse: 1, exclusive: 1 }), inputs: [iota([5], 'float32', 1), i64([], [0])], expect: [f32([5], [14, 12, 9, 5, 0])] },
  { name: 'cumsum_axis1', op: 'CumSum', inputs: [iota([2, 3], 'float32', 1), i32([], [1])], expect: [f32([2, 3], [1, 3, 6, 4, 9, 15])] },
  { name: 'cumsum_negative_axis', op: 'CumSum', inputs: [iota([2, 3], 'int64', 1), i64([1], [-2])], expect: [i64([2, 3], [1, 2, 3, 5, 7, 9])] },
  { name: 'cumsum_bad_axis', op: 'CumSum', inputs: [iota([2, 3]), i64([], [2])], expect: { error: 'axis 2 out of range for rank 2' } },

  { name: 'trilu_upper', op: 'Trilu', inputs: [m33], expect: [f32([3, 3], [1, 2, 3, 0, 5, 6, 0, 0, 9])] },
  { name: 'trilu_upper_k1', op: 'Trilu', inputs: [m33, i64([], [1])], expect: [f32([3, 3], [0, 2, 3, 0, 0, 6, 0, 0, 0])] },
  { name: 'trilu_upper_k_negative', op: 'Trilu', inputs: [m33, i64([], [-1])], expect: [f32([3, 3], [1, 2, 3, 4, 5, 6, 0, 8, 9])] },
  { name: 'trilu_lower', op: 'Trilu', attrs: attrs({ upper: 0 }), inputs: [m33], expect: [f32([3, 3], [1, 0, 0, 4, 5, 0, 7, 8, 9])] },
  { name: 'trilu_lower_k_negative', op: 'Trilu', attrs: attrs({ upper: 0 }), inputs: [m33, i64([], [-1])], expect: [f32([3, 3], [0, 0, 0, 4, 0, 0, 7, 8, 0])] },
  { name: 'trilu_batched_wide', op: 'Trilu', inputs: [iota([2, 2, 3], 'int32', 1)], expect: [i32([2, 2, 3], [1, 2, 3, 0, 5, 6, 7, 8, 9, 0, 11, 12])] },
  { name: 'trilu_rank1', op: 'Trilu', inputs: [iota([3])], expect: { error: 'rank 2 or more' } },

  {
    name: 'reverse_sequence_time_major', op: 'ReverseSequence', inputs: [m44, ints([4, 3, 2, 1])],
    expect: [f32([4, 4], [12, 9, 6, 3, 8, 5, 2, 7, 4, 1, 10, 11, 0, 13, 14, 15])],
  },
  {
    name: 'reverse_sequence_batch_major', op: 'ReverseSequence', attrs: attrs({ batch_axis: 0, time_axis: 1 }), inputs: [m44, ints([1, 2, 3, 4])],
    expect: [f32([4, 4], [0, 1, 2, 3, 5, 4, 6, 7, 10, 9, 8, 11, 15, 14, 13, 12])],
  },
  { name: 'reverse_sequence_too_long', op: 'ReverseSequence', inputs: [m44, ints([5, 1, 1, 1])], expect: { error: 'sequence length 5 is outside [0, 4]' } },
];
