// Conformance cases: activations, Clip, Dropout, Cast and CastLike. Expected values of
// transcendental functions are Python's math module in float64 (the runner allows an ulp
// or two of the output dtype).
import { floatAttr, intAttr, stringAttr } from '../../attrs.js';
import { type OpCase, bool, f32, i32, i64, tensor } from './case.js';

const u8 = (shape: number[], values: number[]) => tensor('uint8', shape, values);
const { NaN: nan } = Number;
const inf = Infinity;

export const ACTIVATION_CASES: OpCase[] = [
  { name: 'relu', op: 'Relu', inputs: [f32([4], [-1, 0, 2.5, nan])], expect: [f32([4], [0, 0, 2.5, nan])] },
  { name: 'relu_int32', op: 'Relu', inputs: [i32([2], [-3, 4])], expect: [i32([2], [0, 4])] },
  { name: 'relu_uint8', op: 'Relu', inputs: [u8([1], [1])], expect: { error: 'input 0 is uint8' } },
  { name: 'leaky_relu_default', op: 'LeakyRelu', inputs: [f32([2], [-1, 2])], expect: [f32([2], [-0.01, 2])] },
  { name: 'leaky_relu_alpha', op: 'LeakyRelu', attrs: { alpha: floatAttr(0.1) }, inputs: [f32([2], [-2, 3])], expect: [f32([2], [-0.2, 3])] },
  { name: 'elu_default', op: 'Elu', inputs: [f32([3], [-1, 0, 2])], expect: [f32([3], [-0.6321205588285577, 0, 2])] },
  { name: 'elu_alpha', op: 'Elu', attrs: { alpha: floatAttr(2) }, inputs: [f32([1], [-1])], expect: [f32([1], [-1.2642411176571153])] },
  { name: 'selu_default', op: 'Selu', inputs: [f32([3], [-1, 0, 1])], expect: [f32([3], [-1.1113307412864784, 0, 1.0507010221481323])] },
  { name: 'selu_attrs', op: 'Selu', attrs: { alpha: floatAttr(2), gamma: floatAttr(3) }, inputs: [f32([2], [-1, 1])], expect: [f32([2], [6 * -0.6321205588285577, 3])] },
  { name: 'celu', op: 'Celu', attrs: { alpha: floatAttr(2) }, inputs: [f32([3], [-1, 0, 3])], expect: [f32([3], [-0.7869386805747332, 0, 3])] },
  { name: 'celu_float16', op: 'Celu', inputs: [tensor('float16', [1], [1])], expect: { error: 'input 0 is float16' } },
  { name: 'thresholded_relu', op: 'ThresholdedRelu', inputs: [f32([4], [0.5, 1, 1.5, -2])], expect: [f32([4], [0, 0, 1.5, 0])] },
  { name: 'thresholded_relu_alpha', op: 'ThresholdedRelu', attrs: { alpha: floatAttr(-1) }, inputs: [f32([2], [-0.5, -2])], expect: [f32([2], [-0.5, 0])] },
  { name: 'hard_sigmoid', op: 'HardSigmoid', inputs: [f32([4], [-3, 0, 1, 3])], expect: [f32([4], [0, 0.5, 0.7, 1])] },
  { name: 'hard_sigmoid_attrs', op: 'HardSigmoid', attrs: { alpha: floatAttr(0.5), beta: floatAttr(0.25) }, inputs: [f32([1], [1])], expect: [f32([1], [0.75])] },
  { name: 'hard_swish', op: 'HardSwish', inputs: [f32([5], [-4, -1, 0, 1, 4])], expect: [f32([5], [-0, -1 / 3, 0, 2 / 3, 4])] },
  {
    name: 'softplus', op: 'Softplus', inputs: [f32([6], [0, 1, -1, 100, -20, 1000])],
    expect: [f32([6], [0.6931471805599453, 1.3132616875182228, 0.31326168751822286, 100, 2.061153620314381e-9, 1000])],
  },
  { name: 'softsign', op: 'Softsign', inputs: [f32([3], [1, -3, 0])], expect: [f32([3], [0.5, -0.75, 0])] },
  { name: 'mish', op: 'Mish', inputs: [f32([3], [0, 1, -1])], expect: [f32([3], [0, 0.8650983882673103, -0.30340146137410895])] },
  { name: 'gelu_exact', op: 'Gelu', inputs: [f32([4], [0, 1, -1, 2])], expect: [f32([4], [0, 0.8413447460685429, -0.15865525393145707, 1.9544997361036416])] },
  { name: 'gelu_tanh', op: 'Gelu', attrs: { approximate: stringAttr('tanh') }, inputs: [f32([2], [1, -1])], expect: [f32([2], [0.8411919906082768, -0.15880800939172324])] },
  { name: 'gelu_bad_approximation', op: 'Gelu', attrs: { approximate: stringAttr('fast') }, inputs: [f32([1], [1])], expect: { error: "approximate must be 'none' or 'tanh'" } },

  { name: 'clip_both', op: 'Clip', inputs: [f32([4], [-2, 0, 5, nan]), f32([], [-1]), f32([], [1])], expect: [f32([4], [-1, 0, 1, nan])] },
  { name: 'clip_no_min', op: 'Clip', inputs: [f32([2], [-2, 5]), null, f32([], [1])], expect: [f32([2], [-2, 1])] },
  { name: 'clip_no_max', op: 'Clip', inputs: [f32([2], [-2, 5]), f32([], [0])], expect: [f32([2], [0, 5])] },
  { name: 'clip_no_bounds', op: 'Clip', inputs: [f32([2], [-inf, 5])], expect: [f32([2], [-inf, 5])] },
  { name: 'clip_min_above_max', op: 'Clip', inputs: [f32([2], [0, 5]), f32([], [2]), f32([], [1])], expect: [f32([2], [1, 1])] },
  { name: 'clip_int32', op: 'Clip', inputs: [i32([3], [-5, 5, 0]), i32([], [-2]), i32([], [3])], expect: [i32([3], [-2, 3, 0])] },
  { name: 'clip_vector_min', op: 'Clip', inputs: [f32([2], [0, 5]), f32([2], [1, 2])], expect: { error: 'min must be a scalar' } },
  { name: 'clip_mixed_dtypes', op: 'Clip', inputs: [f32([2], [0, 5]), i32([], [1])], expect: { error: 'input 1 is int32' } },

  { name: 'dropout_plain', op: 'Dropout', inputs: [f32([2], [1, -2])], expect: [f32([2], [1, -2])] },
  {
    name: 'dropout_mask', op: 'Dropout', attrs: { seed: intAttr(3) },
    inputs: [f32([2, 2], [1, 2, 3, 4]), f32([], [0.5]), bool([], [0])],
    expect: [f32([2, 2], [1, 2, 3, 4]), bool([2, 2], [1, 1, 1, 1])],
  },
  { name: 'dropout_training', op: 'Dropout', inputs: [f32([2], [1, 2]), f32([], [0.5]), bool([], [1])], expect: { error: 'training_mode is true' } },

  { name: 'cast_float_to_int32', op: 'Cast', attrs: { to: intAttr(6) }, inputs: [f32([5], [1.7, -1.7, -0.5, 2.5, 1e3])], expect: [i32([5], [1, -1, 0, 2, 1000])] },
  { name: 'cast_float_to_int64', op: 'Cast', attrs: { to: intAttr(7) }, inputs: [f32([3], [1.7, -1.7, -2.5])], expect: [i64([3], [1, -1, -2])] },
  { name: 'cast_float_to_int8', op: 'Cast', attrs: { to: intAttr(3) }, inputs: [f32([2], [127.9, -128.9])], expect: [tensor('int8', [2], [127, -128])] },
  { name: 'cast_float_to_bool', op: 'Cast', attrs: { to: intAttr(9) }, inputs: [f32([5], [0, -0, 0.1, nan, -inf])], expect: [bool([5], [0, 0, 1, 1, 1])] },
  { name: 'cast_int_wraps', op: 'Cast', attrs: { to: intAttr(2) }, inputs: [i32([2], [300, -1])], expect: [u8([2], [44, 255])] },
  { name: 'cast_to_float16', op: 'Cast', attrs: { to: intAttr(10) }, inputs: [f32([2], [1 / 3, 70000])], expect: [tensor('float16', [2], [0.333251953125, inf])] },
  { name: 'cast_to_bfloat16', op: 'Cast', attrs: { to: intAttr(16) }, inputs: [f32([1], [1 / 3])], expect: [tensor('bfloat16', [1], [0.333984375])] },
  { name: 'cast_to_float64', op: 'Cast', attrs: { to: intAttr(11) }, inputs: [f32([1], [0.1])], expect: [tensor('float64', [1], [0.10000000149011612])] },
  { name: 'cast_bool_to_float', op: 'Cast', attrs: { to: intAttr(1) }, inputs: [bool([2], [1, 0])], expect: [f32([2], [1, 0])] },
  { name: 'cast_int64_to_float', op: 'Cast', attrs: { to: intAttr(1) }, inputs: [i64([1], [16777217])], expect: [f32([1], [16777216])] },
  { name: 'cast_saturate_accepted', op: 'Cast', attrs: { to: intAttr(1), saturate: intAttr(0) }, inputs: [i32([1], [3])], expect: [f32([1], [3])] },
  { name: 'cast_to_string', op: 'Cast', attrs: { to: intAttr(8) }, inputs: [f32([1], [1])], expect: { error: 'cannot cast to ONNX type 8' } },
  { name: 'cast_to_float8', op: 'Cast', attrs: { to: intAttr(17) }, inputs: [f32([1], [1])], expect: { error: 'cannot cast to ONNX type 17' } },
  { name: 'cast_like', op: 'CastLike', inputs: [f32([2], [2.9, -2.9]), i32([], [0])], expect: [i32([2], [2, -2])] },
];
