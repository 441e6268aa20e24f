// Op specs: solder::Gelu, Linear, GatedMLP.
//
// Weights are laid out [in, out] = [K, N], like MatMul's B (and unlike Gemm's transB=1 or
// torch's nn.Linear.weight [out, in]): a rule fusing MatMul(x, W) passes W unchanged.
// - Linear:    act(x·W + bias) + residual; bias is [N], residual broadcasts onto [..., N].
// - GatedMLP:  act(x·Wg) * (x·Wu), the SwiGLU/GeGLU gate; the down projection stays a Linear.
import { attr } from '../../attrs.js';
import { type Dim, isKnown } from '../../dim.js';
import { type Node, SOLDER_DOMAIN } from '../../graph.js';
import { type TensorType, tensorType } from '../../types.js';
import { opError, shapeString } from '../shape-util.js';
import { type InferContext, defineOp } from '../spec.js';
import { floatInput, oneOf, requireBroadcastsTo, requireRank, requireSameDim } from './checks.js';

export const GELU_APPROXIMATIONS = ['none', 'tanh'] as const;
export const LINEAR_ACTIVATIONS = ['none', 'relu', 'gelu', 'gelu_tanh', 'silu', 'tanh', 'sigmoid'] as const;
export const GATE_ACTIVATIONS = ['silu', 'gelu', 'gelu_tanh'] as const;

export type LinearActivation = (typeof LINEAR_ACTIVATIONS)[number];

export const Gelu = defineOp({
  domain: SOLDER_DOMAIN,
  name: 'Gelu',
  inputs: [{ name: 'x' }],
  outputs: [{ name: 'y' }],
  attrs: { approximate: attr.string.default('none') },
  doc: "x * Φ(x) (approximate='none', erf) or its tanh approximation (approximate='tanh').",
  infer: (ctx) => {
    const x = floatInput(ctx, 0, 'x');
    oneOf(ctx.node, 'approximate', ctx.attrs.approximate, GELU_APPROXIMATIONS);
    return [x];
  },
});

/** The output dims of x [..., K] times a [K, N] weight: [..., N]. */
export function projectedDims(node: Node, x: readonly Dim[], weight: readonly Dim[], what: string): Dim[] {
  if (x.length === 0) throw opError(node, `x must have rank >= 1, found ${shapeString(x)}`);
  const [k, wk] = [x[x.length - 1]!, weight[0]!];
  if (isKnown(k) && isKnown(wk) && k !== wk) throw opError(node, `x ${shapeString(x)} has K=${k}, ${what} ${shapeString(weight)} has K=${wk}`);
  return [...x.slice(0, -1), weight[1]!];
}

/** Checks a [K, N] weight input of x's dtype and returns x·W's type. */
function inferProjection(ctx: InferContext, x: TensorType, i: number, what: string): TensorType {
  const w = floatInput(ctx, i, what);
  if (w.dtype !== x.dtype) throw opError(ctx.node, `${what} is ${w.dtype}, x is ${x.dtype}`);
  requireRank(ctx.node, what, w.shape, [2]);
  if (x.shape === undefined || w.shape === undefined) return tensorType(x.dtype);
  return tensorType(x.dtype, projectedDims(ctx.node, x.shape, w.shape, what));
}

export const Linear = defineOp({
  domain: SOLDER_DOMAIN,
  name: 'Linear',
  inputs: [{ name: 'x' }, { name: 'weight' }, { name: 'bias', optional: true }, { name: 'residual', optional: true }],
  outputs: [{ name: 'y' }],
  attrs: { activation: attr.string.default('none') },
  doc: 'act(x·W + bias) + residual, W laid out [K, N] like MatMul B.',
  infer: (ctx) => {
    oneOf(ctx.node, 'activation', ctx.attrs.activation, LINEAR_ACTIVATIONS);
    const x = floatInput(ctx, 0, 'x');
    const out = inferProjection(ctx, x, 1, 'weight');
    const n = out.shape?.[out.shape.length - 1];
    for (const [what, i, target] of [['bias', 2, n === undefined ? undefined : [n]], ['residual', 3, out.shape]] as const) {
      const t = ctx.inputs[i];
      if (t === undefined) continue;
      if (t.dtype !== x.dtype) throw opError(ctx.node, `${what} is ${t.dtype}, x is ${x.dtype}`);
      if (what === 'bias') requireRank(ctx.node, 'bias', t.shape, [1]);
      requireBroadcastsTo(ctx.node, what, t.shape, target);
    }
    return [out];
  },
});

export const GatedMLP = defineOp({
  domain: SOLDER_DOMAIN,
  name: 'GatedMLP',
  inputs: [{ name: 'x' }, { name: 'w_gate' }, { name: 'w_up' }],
  outputs: [{ name: 'y' }],
  attrs: { activation: attr.string.default('silu') },
  doc: 'act(x·Wg) * (x·Wu), weights [K, hidden]; the SwiGLU/GeGLU MLP gate.',
  infer: (ctx) => {
    oneOf(ctx.node, 'activation', ctx.attrs.activation, GATE_ACTIVATIONS);
    const x = floatInput(ctx, 0, 'x');
    const gate = inferProjection(ctx, x, 1, 'w_gate');
    const up = inferProjection(ctx, x, 2, 'w_up');
    const [g, u] = [gate.shape, up.shape];
    if (g !== undefined && u !== undefined) {
      requireSameDim(ctx.node, `w_gate and w_up hidden dim`, g[g.length - 1], u[u.length - 1]);
    }
    return [gate];
  },
});
