// Reference kernels: the normalizations, with statistics in float64.
import { dtypeFromOnnx } from '../../../ir/dtype.js';
import type { Node } from '../../../ir/graph.js';
import { stashDType } from '../../../ir/ops/nn-checks.js';
import {
  BatchNormalization, GroupNormalization, InstanceNormalization, LayerNormalization, LpNormalization, RMSNormalization,
} from '../../../ir/ops/norm.js';
import { normalizeAxis, opError } from '../../../ir/ops/shape-util.js';
import type { Tensor } from '../../../ir/tensor.js';
import { defineKernel } from '../kernel.js';
import { required } from './args.js';
import { declaredOutputs, expandTo, spanSize, tensorOf } from './nn-args.js';
import { axisRows } from './softmax.js';

/** Normalizes each of `groups` contiguous runs of `size` elements: y = (x - mean) * invStd, into out. */
function standardize(x: Tensor, groups: number, size: number, epsilon: number, out: Float64Array, rms = false): { mean: Float64Array; invStd: Float64Array } {
  const mean = new Float64Array(groups);
  const invStd = new Float64Array(groups);
  for (let g = 0; g < groups; g++) {
    const base = g * size;
    let sum = 0;
    if (!rms) for (let i = 0; i < size; i++) sum += x.data[base + i]!;
    const mu = sum / size;
    let sq = 0;
    for (let i = 0; i < size; i++) { const d = x.data[base + i]! - mu; sq += d * d; }
    const inv = 1 / Math.sqrt(sq / size + epsilon);
    for (let i = 0; i < size; i++) out[base + i] = (x.data[base + i]! - mu) * inv;
    mean[g] = mu;
    invStd[g] = inv;
  }
  return { mean, invStd };
}

defineKernel(LayerNormalization, (inputs, attrs, node) => {
  const x = required(inputs, 0, node);
  const axis = normalizeAxis(node, attrs.axis, x.shape.length);
  const stash = stashDType(node, attrs.stash_type, dtypeFromOnnx);
  const scale = expandTo(node, required(inputs, 1, node), x.shape, 'Scale');
  const bias = inputs[2] === undefined ? undefined : expandTo(node, inputs[2], x.shape, 'B');
  const groups = spanSize(x.shape, 0, axis);
  const y = new Float64Array(x.data.length);
  const { mean, invStd } = standardize(x, groups, spanSize(x.shape, axis), attrs.epsilon, y);
  for (let i = 0; i < y.length; i++) y[i] = y[i]! * scale[i]! + (bias === undefined ? 0 : bias[i]!);
  const stats = x.shape.map((d, i) => (i < axis ? d : 1));
  return declaredOutputs(node, [tensorOf(x.dtype, x.shape, y), tensorOf(stash, stats, mean), tensorOf(stash, stats, invStd)]);
});

defineKernel(RMSNormalization, (inputs, attrs, node) => {
  const x = required(inputs, 0, node);
  const axis = normalizeAxis(node, attrs.axis, x.shape.length);
  stashDType(node, attrs.stash_type, dtypeFromOnnx);
  const scale = expandTo(node, required(inputs, 1, node), x.shape, 'scale');
  const y = new Float64Array(x.data.length);
  standardize(x, spanSize(x.shape, 0, axis), spanSize(x.shape, axis), attrs.epsilon, y, true);
  for (let i = 0; i < y.length; i++) y[i]! *= scale[i]!;
  return [tensorOf(x.dtype, x.shape, y)];
});

/** y[n, c, ...] = y[n, c, ...] * scale(c) + bias(c) in place, over planes of `plane` elements. */
function affinePerChannel(y: Float64Array, shape: readonly number[], scale: (c: number) => number, bias: (c: number) => number): void {
  const channels = shape[1]!;
  const plane = spanSize(shape, 2);
  for (let p = 0; p < shape[0]! * channels; p++) {
    const c = p % channels;
    const [s, b] = [scale(c), bias(c)];
    for (let i = p * plane; i < (p + 1) * plane; i++) y[i] = y[i]! * s + b;
  }
}

function channelVector(node: Node, t: Tensor, what: string, lengths: readonly number[]): Tensor {
  if (!lengths.includes(t.data.length)) throw opError(node, `${what} has ${t.data.length} values, expected ${lengths.join(' or ')}`);
  return t;
}

defineKernel(GroupNormalization, (inputs, attrs, node) => {
  const x = required(inputs, 0, node);
  const [batch, channels, groups] = [x.shape[0]!, x.shape[1]!, attrs.num_groups];
  if (x.shape.length < 2 || channels % groups !== 0) throw opError(node, `X [${x.shape.join(', ')}] does not split into ${groups} channel groups`);
  const scale = channelVector(node, required(inputs, 1, node), 'scale', [channels, groups]);
  const bias = channelVector(node, required(inputs, 2, node), 'bias', [channels, groups]);
  const y = new Float64Array(x.data.length);
  standardize(x, batch * groups, x.data.length / (batch * groups), attrs.epsilon, y);
  // Opset 18 gave one scale per group; opset 21 one per channel.
  const per = channels / groups;
  const pick = (t: Tensor) => (c: number) => t.data[t.data.length === channels ? c : Math.floor(c / per)]!;
  affinePerChannel(y, x.shape, pick(scale), pick(bias));
  return [tensorOf(x.dtype, x.shape, y)];
});

defineKernel(InstanceNormalization, (inputs, attrs, node) => {
  const x = required(inputs, 0, node);
  const channels = x.shape[1]!;
  const scale = channelVector(node, required(inputs, 1, node), 'scale', [channels]);
  const bias = channelVector(node, required(inputs, 2, node), 'B', [channels]);
  const y = new Float64Array(x.data.length);
  standardize(x, x.shape[0]! * channels, spanSize(x.shape, 2), attrs.epsilon, y);
  affinePerChannel(y, x.shape, (c) => scale.data[c]!, (c) => bias.data[c]!);
  return [tensorOf(x.dtype, x.shape, y)];
});

defineKernel(BatchNormalization, (inputs, attrs, node) => {
  if (attrs.training_mode !== 0) throw opError(node, 'training_mode=1 is not supported (solder runs inference graphs); export the model in eval mode');
  const x = required(inputs, 0, node);
  const channels = x.shape[1]!;
  const [scale, bias, mean, variance] = ['scale', 'B', 'input_mean', 'input_var'].map((what, k) => channelVector(node, required(inputs, k + 1, node), what, [channels])) as [Tensor, Tensor, Tensor, Tensor];
  const y = Float64Array.from(x.data);
  const inv = (c: number) => scale.data[c]! / Math.sqrt(variance.data[c]! + attrs.epsilon);
  affinePerChannel(y, x.shape, inv, (c) => bias.data[c]! - mean.data[c]! * inv(c));
  return [tensorOf(x.dtype, x.shape, y)];
});

defineKernel(LpNormalization, (inputs, attrs, node) => {
  const x = required(inputs, 0, node);
  if (attrs.p !== 1 && attrs.p !== 2) throw opError(node, `p must be 1 or 2, found ${attrs.p}`);
  const rows = axisRows(node, x.shape, attrs.axis);
  const y = new Float64Array(x.data.length);
  for (let r = 0; r < rows.count; r++) {
    const s = rows.start(r);
    let norm = 0;
    for (let i = 0; i < rows.length; i++) { const v = x.data[s + i * rows.stride]!; norm += attrs.p === 1 ? Math.abs(v) : v * v; }
    if (attrs.p === 2) norm = Math.sqrt(norm);
    // A zero vector stays zero (as ONNX Runtime and the ONNX reference do), not 0/0.
    for (let i = 0; i < rows.length; i++) y[s + i * rows.stride] = norm === 0 ? 0 : x.data[s + i * rows.stride]! / norm;
  }
  return [tensorOf(x.dtype, x.shape, y)];
});
