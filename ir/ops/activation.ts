// Op specs: activations (Relu .. Gelu), PRelu, Clip and inference-mode Dropout.
import { attr } from '../attrs.js';
import { type Dim, dimEq, isKnown } from '../dim.js';
import { ONNX_DOMAIN, type Node } from '../graph.js';
import { tensorType } from '../types.js';
import { BOOL, FLOATS, NUMERIC, SIGNED_INTS, checkOptionalDType, checkedDType, sameAsInput, sameDTypes } from './elementwise-types.js';
import { inputType, opError, shapeString } from './shape-util.js';
import { defineOp } from './spec.js';
import { defineUnary } from './unary.js';

export const Relu = defineUnary('Relu', [...FLOATS, ...SIGNED_INTS], 'max(0, x).', {});
export const LeakyRelu = defineUnary('LeakyRelu', FLOATS, 'x, or alpha * x below 0.', { alpha: attr.float.default(0.01) });
export const Elu = defineUnary('Elu', FLOATS, 'x, or alpha * (e^x - 1) below 0.', { alpha: attr.float.default(1) });
export const Selu = defineUnary('Selu', FLOATS, 'gamma * x, or gamma * alpha * (e^x - 1) at or below 0.', {
  alpha: attr.float.default(1.67326319217681884765625),
  gamma: attr.float.default(1.05070102214813232421875),
});
export const Celu = defineUnary('Celu', ['float32'], 'max(0, x) + min(0, alpha * (e^(x / alpha) - 1)).', { alpha: attr.float.default(1) });
export const ThresholdedRelu = defineUnary('ThresholdedRelu', FLOATS, 'x above alpha, else 0.', { alpha: attr.float.default(1) });
export const HardSigmoid = defineUnary('HardSigmoid', FLOATS, 'max(0, min(1, alpha * x + beta)).', {
  alpha: attr.float.default(0.2),
  beta: attr.float.default(0.5),
});
export const HardSwish = defineUnary('HardSwish', FLOATS, 'x * max(0, min(1, x / 6 + 1 / 2)).', {});
export const Softplus = defineUnary('Softplus', FLOATS, 'ln(e^x + 1).', {});
export const Softsign = defineUnary('Softsign', FLOATS, 'x / (1 + |x|).', {});
export const Mish = defineUnary('Mish', FLOATS, 'x * tanh(softplus(x)).', {});
export const Gelu = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Gelu',
  inputs: [{ name: 'X' }],
  outputs: [{ name: 'Y' }],
  attrs: { approximate: attr.string.default('none') },
  doc: 'x * Phi(x), exact (erf) or with the tanh approximation.',
  infer: (ctx) => {
    geluApproximation(ctx.node, ctx.attrs.approximate);
    return sameAsInput(ctx, FLOATS);
  },
});

export type GeluApproximation = 'none' | 'tanh';

/** Gelu's `approximate` attribute, a user error naming the node when it is neither 'none' nor 'tanh'. */
export function geluApproximation(node: Node, value: string): GeluApproximation {
  if (value === 'none' || value === 'tanh') return value;
  throw opError(node, `approximate must be 'none' or 'tanh', found '${value}'`);
}

export const PRelu = defineOp({
  domain: ONNX_DOMAIN,
  name: 'PRelu',
  inputs: [{ name: 'X' }, { name: 'slope' }],
  outputs: [{ name: 'Y' }],
  attrs: {},
  doc: 'x, or slope * x below 0; slope broadcasts to x.',
  infer: (ctx) => {
    checkedDType(ctx, 0, [...FLOATS, 'int32', 'int64', 'uint32', 'uint64']);
    sameDTypes(ctx, [0, 1]);
    const x = inputType(ctx, 0);
    const slope = inputType(ctx, 1).shape;
    if (x.shape !== undefined && slope !== undefined) checkUnidirectional(ctx.node, slope, x.shape);
    return [x];
  },
});

// PRelu's slope must broadcast to X without growing it.
function checkUnidirectional(node: Node, from: readonly Dim[], to: readonly Dim[]): void {
  const fits = from.length <= to.length && from.every((d, i) => {
    const t = to[to.length - from.length + i]!;
    return (isKnown(d) && d === 1) || dimEq(d, t) || !isKnown(d) || !isKnown(t);
  });
  if (!fits) throw opError(node, `slope ${shapeString(from)} does not broadcast to X ${shapeString(to)}`);
}

export const Clip = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Clip',
  inputs: [{ name: 'input' }, { name: 'min', optional: true }, { name: 'max', optional: true }],
  outputs: [{ name: 'output' }],
  attrs: {},
  doc: 'Clamps to [min, max]; an absent bound does not clamp.',
  infer: (ctx) => {
    sameDTypes(ctx, [0, 1, 2]);
    for (const i of [1, 2]) {
      const shape = ctx.inputs[i]?.shape;
      if (shape !== undefined && shape.some((d) => isKnown(d) && d !== 1)) {
        throw opError(ctx.node, `${i === 1 ? 'min' : 'max'} must be a scalar, found shape ${shapeString(shape)}`);
      }
    }
    return sameAsInput(ctx, NUMERIC);
  },
});

export const Dropout = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Dropout',
  inputs: [{ name: 'data' }, { name: 'ratio', optional: true }, { name: 'training_mode', optional: true }],
  outputs: [{ name: 'output' }, { name: 'mask', optional: true }],
  attrs: { seed: attr.int.optional() },
  doc: 'Identity at inference (the only mode solder runs); the mask is all true.',
  infer: (ctx) => {
    const x = inputType(ctx, 0);
    checkedDType(ctx, 0, FLOATS);
    checkOptionalDType(ctx, 1, FLOATS, 'ratio');
    checkOptionalDType(ctx, 2, BOOL, 'training_mode');
    const training = ctx.inputs[2] === undefined ? undefined : ctx.constant(2);
    if (training !== undefined) ensureInference(ctx.node, training.data[0] ?? 0);
    // The mask is optional; a node that leaves it off has one output type.
    return ctx.node.outputs.length > 1 ? [x, tensorType('bool', x.shape)] : [x];
  },
});

/** Dropout in training mode draws random masks, which solder does not reproduce. */
export function ensureInference(node: Node, trainingMode: number): void {
  if (trainingMode !== 0) {
    throw opError(node, 'training_mode is true; solder runs Dropout only in inference mode (export the model in eval mode)');
  }
}
