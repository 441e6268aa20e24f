// Op specs: LayerNormalization, RMSNormalization, GroupNormalization,
// InstanceNormalization, BatchNormalization (inference), LpNormalization.
import { attr } from '../attrs.js';
import { dtypeFromOnnx } from '../dtype.js';
import { type Dim, isKnown } from '../dim.js';
import { ONNX_DOMAIN, type Node } from '../graph.js';
import { tensorType } from '../types.js';
import { optionalInput, requireSameDim, stashDType, typedInput } from './nn-checks.js';
import { normalizeAxis, opError, shapeString } from './shape-util.js';
import { defineOp } from './spec.js';

/** Requires a scale/bias shape to broadcast one way onto X (right-aligned). */
export function checkBroadcastsTo(node: Node, what: string, s: readonly Dim[] | undefined, x: readonly Dim[]): void {
  if (s === undefined) return;
  const bad = s.length > x.length || s.some((d, i) => {
    const t = x[x.length - s.length + i]!;
    return isKnown(d) && d !== 1 && isKnown(t) && d !== t;
  });
  if (bad) throw opError(node, `${what} ${shapeString(s)} does not broadcast to X ${shapeString(x)}`);
}

export const LayerNormalization = defineOp({
  domain: ONNX_DOMAIN,
  name: 'LayerNormalization',
  inputs: [{ name: 'X' }, { name: 'Scale' }, { name: 'B', optional: true }],
  outputs: [{ name: 'Y' }, { name: 'Mean', optional: true }, { name: 'InvStdDev', optional: true }],
  attrs: { axis: attr.int.default(-1), epsilon: attr.float.default(1e-5), stash_type: attr.int.default(1) },
  doc: '(X - mean) / sqrt(var + epsilon) * Scale + B over the dims from axis on.',
  infer: (ctx) => {
    const x = typedInput(ctx, 0, 'X');
    const scale = optionalInput(ctx, 1, 'Scale', x.dtype) ?? typedInput(ctx, 1, 'Scale');
    const bias = optionalInput(ctx, 2, 'B', x.dtype);
    const stash = stashDType(ctx.node, ctx.attrs.stash_type, dtypeFromOnnx);
    if (x.shape === undefined) return [tensorType(x.dtype), tensorType(stash), tensorType(stash)];
    const axis = normalizeAxis(ctx.node, ctx.attrs.axis, x.shape.length);
    checkBroadcastsTo(ctx.node, 'Scale', scale.shape, x.shape);
    checkBroadcastsTo(ctx.node, 'B', bias?.shape, x.shape);
    const stats = x.shape.map((d, i) => (i < axis ? d : 1));
    return [tensorType(x.dtype, x.shape), tensorType(stash, stats), tensorType(stash, stats)];
  },
});

export const RMSNormalization = defineOp({
  domain: ONNX_DOMAIN,
  name: 'RMSNormalization',
  inputs: [{ name: 'X' }, { name: 'scale' }],
  outputs: [{ name: 'Y' }],
  attrs: { axis: attr.int.default(-1), epsilon: attr.float.default(1e-5), stash_type: attr.int.default(1) },
  doc: 'X / sqrt(mean(X^2) + epsilon) * scale over the dims from axis on.',
  infer: (ctx) => {
    const x = typedInput(ctx, 0, 'X');
    const scale = optionalInput(ctx, 1, 'scale', x.dtype) ?? typedInput(ctx, 1, 'scale');
    stashDType(ctx.node, ctx.attrs.stash_type, dtypeFromOnnx);
    if (x.shape === undefined) return [tensorType(x.dtype)];
    normalizeAxis(ctx.node, ctx.attrs.axis, x.shape.length);
    checkBroadcastsTo(ctx.node, 'scale', scale.shape, x.shape);
    return [tensorType(x.dtype, x.shape)];
  },
});

/** Checks a per-channel vector input (scale, bias, mean, var) of an NC... norm. */
function checkChannelVector(node: Node, what: string, v: readonly Dim[] | undefined, channels: Dim | undefined, alt?: number): void {
  if (v === undefined) return;
  if (v.length !== 1) throw opError(node, `${what} must be 1-D, found ${shapeString(v)}`);
  const d = v[0]!;
  if (alt !== undefined && isKnown(d) && d === alt) return;
  requireSameDim(node, d, channels, `${what} must hold one value per channel`);
}

export const GroupNormalization = defineOp({
  domain: ONNX_DOMAIN,
  name: 'GroupNormalization',
  inputs: [{ name: 'X' }, { name: 'scale' }, { name: 'bias' }],
  outputs: [{ name: 'Y' }],
  attrs: { epsilon: attr.float.default(1e-5), num_groups: attr.int.required(), stash_type: attr.int.default(1) },
  doc: 'Normalizes each group of channels over the group and spatial dims; per-channel scale and bias (opset 21; per-group opset-18 vectors are accepted).',
  infer: (ctx) => {
    const x = typedInput(ctx, 0, 'X');
    const scale = optionalInput(ctx, 1, 'scale', x.dtype) ?? typedInput(ctx, 1, 'scale');
    const bias = optionalInput(ctx, 2, 'bias', x.dtype) ?? typedInput(ctx, 2, 'bias');
    const groups = ctx.attrs.num_groups;
    if (groups < 1) throw opError(ctx.node, `num_groups must be positive, found ${groups}`);
    if (x.shape === undefined) return [tensorType(x.dtype)];
    if (x.shape.length < 2) throw opError(ctx.node, `X must be [N, C, ...], found ${shapeString(x.shape)}`);
    const c = x.shape[1]!;
    if (isKnown(c) && c % groups !== 0) throw opError(ctx.node, `channels ${c} are not divisible by num_groups ${groups}`);
    checkChannelVector(ctx.node, 'scale', scale.shape, c, groups);
    checkChannelVector(ctx.node, 'bias', bias.shape, c, groups);
    return [tensorType(x.dtype, x.shape)];
  },
});

export const InstanceNormalization = defineOp({
  domain: ONNX_DOMAIN,
  name: 'InstanceNormalization',
  inputs: [{ name: 'input' }, { name: 'scale' }, { name: 'B' }],
  outputs: [{ name: 'output' }],
  attrs: { epsilon: attr.float.default(1e-5) },
  doc: 'Normalizes each (batch, channel) over its spatial dims, then per-channel scale and bias.',
  infer: (ctx) => {
    const x = typedInput(ctx, 0, 'input');
    const scale = optionalInput(ctx, 1, 'scale', x.dtype) ?? typedInput(ctx, 1, 'scale');
    const bias = optionalInput(ctx, 2, 'B', x.dtype) ?? typedInput(ctx, 2, 'B');
    if (x.shape === undefined) return [tensorType(x.dtype)];
    if (x.shape.length < 3) throw opError(ctx.node, `input must be [N, C, spatial...], found ${shapeString(x.shape)}`);
    checkChannelVector(ctx.node, 'scale', scale.shape, x.shape[1]);
    checkChannelVector(ctx.node, 'B', bias.shape, x.shape[1]);
    return [tensorType(x.dtype, x.shape)];
  },
});

export const BatchNormalization = defineOp({
  domain: ONNX_DOMAIN,
  name: 'BatchNormalization',
  inputs: [{ name: 'X' }, { name: 'scale' }, { name: 'B' }, { name: 'input_mean' }, { name: 'input_var' }],
  outputs: [{ name: 'Y' }, { name: 'running_mean', optional: true }, { name: 'running_var', optional: true }],
  attrs: { epsilon: attr.float.default(1e-5), momentum: attr.float.default(0.9), training_mode: attr.int.default(0) },
  doc: 'Inference batch norm: (X - mean) / sqrt(var + epsilon) * scale + B per channel.',
  infer: (ctx) => {
    if (ctx.attrs.training_mode !== 0) throw opError(ctx.node, 'training_mode=1 is not supported (solder runs inference graphs); export the model in eval mode');
    const x = typedInput(ctx, 0, 'X');
    const names = ['scale', 'B', 'input_mean', 'input_var'];
    const vectors = names.map((n, k) => typedInput(ctx, k + 1, n));
    if (x.shape === undefined) return [tensorType(x.dtype)];
    if (x.shape.length < 2) throw opError(ctx.node, `X must be [N, C, ...], found ${shapeString(x.shape)}`);
    vectors.forEach((v, k) => checkChannelVector(ctx.node, names[k]!, v.shape, x.shape![1]));
    return [tensorType(x.dtype, x.shape)];
  },
});

export const LpNormalization = defineOp({
  domain: ONNX_DOMAIN,
  name: 'LpNormalization',
  inputs: [{ name: 'input' }],
  outputs: [{ name: 'output' }],
  attrs: { axis: attr.int.default(-1), p: attr.int.default(2) },
  doc: 'x / ||x||_p along axis (p is 1 or 2).',
  infer: (ctx) => {
    const x = typedInput(ctx, 0, 'input');
    if (ctx.attrs.p !== 1 && ctx.attrs.p !== 2) throw opError(ctx.node, `p must be 1 or 2, found ${ctx.attrs.p}`);
    if (x.shape !== undefined) normalizeAxis(ctx.node, ctx.attrs.axis, x.shape.length);
    return [tensorType(x.dtype, x.shape)];
  },
});
