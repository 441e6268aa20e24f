// Op specs: solder::LayerNorm, RMSNorm, SkipLayerNorm, SkipRMSNorm.
//
// All four normalize over the trailing dims from `axis` on (ONNX LayerNormalization's
// convention; the default -1 is the hidden dim). weight and bias broadcast onto those
// trailing dims.
// - LayerNorm:  (x - mean) / sqrt(var + epsilon) * weight + bias   (population variance)
// - RMSNorm:    x / sqrt(mean(x²) + epsilon) * (offset + weight)    (offset 1: Gemma's (1 + w))
// - Skip*:      the same on s = x + skip, where skip broadcasts onto x. The optional second
//   output is s itself, for graphs that reuse the residual sum; the kernel rounds s to the
//   storage dtype before normalizing, as the unfused Add would have.
import { type AttrSpecs, attr } from '../../attrs.js';
import type { Dim } from '../../dim.js';
import { type Node, SOLDER_DOMAIN } from '../../graph.js';
import { type TensorType, tensorType } from '../../types.js';
import { normalizeAxis, opError } from '../shape-util.js';
import { type InferContext, type OutputSpec, type InputSpec, defineOp } from '../spec.js';
import { floatInput, requireBroadcastsTo, requireFlag } from './checks.js';

/** The trailing dims a norm reduces over, or undefined when the rank is unknown. */
export function normalizedDims(node: Node, shape: readonly Dim[] | undefined, axis: number): Dim[] | undefined {
  if (shape === undefined) return undefined;
  if (shape.length === 0) throw opError(node, 'cannot normalize a scalar');
  return shape.slice(normalizeAxis(node, axis, shape.length));
}

/** Checks a norm's inputs (x, skip when the op has one, weight, optional bias) and returns x's type. */
function inferNorm(ctx: InferContext, layout: { skip?: number; weight: number; bias?: number }, axis: number, epsilon: number): TensorType {
  const x = floatInput(ctx, 0, 'x');
  if (!(epsilon >= 0)) throw opError(ctx.node, `epsilon must be >= 0, found ${epsilon}`);
  const inner = normalizedDims(ctx.node, x.shape, axis);
  const named: [string, number | undefined, readonly Dim[] | undefined][] = [
    ['skip', layout.skip, x.shape],
    ['weight', layout.weight, inner],
    ['bias', layout.bias, inner],
  ];
  for (const [what, i, target] of named) {
    if (i === undefined) continue;
    const t = what === 'bias' ? ctx.inputs[i] : floatInput(ctx, i, what);
    if (t === undefined) continue;
    if (t.dtype !== x.dtype) throw opError(ctx.node, `${what} is ${t.dtype}, x is ${x.dtype}`);
    requireBroadcastsTo(ctx.node, what, t.shape, target);
  }
  return tensorType(x.dtype, x.shape);
}

const skipOutputs: readonly OutputSpec[] = [{ name: 'output' }, { name: 'sum', optional: true }];

function defineNorm<const S extends AttrSpecs>(
  name: string,
  doc: string,
  inputs: readonly InputSpec[],
  attrs: S,
  layout: { skip?: number; weight: number; bias?: number },
  read: (ctx: InferContext<S>) => { axis: number; epsilon: number; offset?: number },
) {
  const skip = layout.skip !== undefined;
  return defineOp({
    domain: SOLDER_DOMAIN,
    name,
    inputs,
    outputs: skip ? skipOutputs : [{ name: 'output' }],
    attrs,
    doc,
    infer: (ctx) => {
      const { axis, epsilon, offset } = read(ctx);
      if (offset !== undefined) requireFlag(ctx.node, 'offset', offset);
      const out = inferNorm(ctx, layout, axis, epsilon);
      return skip ? [out, out] : [out];
    },
  });
}

const layerNormAttrs = { axis: attr.int.default(-1), epsilon: attr.float.default(1e-5) };
const rmsNormAttrs = { axis: attr.int.default(-1), epsilon: attr.float.default(1e-6), offset: attr.int.default(0) };

export const LayerNorm = defineNorm(
  'LayerNorm', '(x - mean) / sqrt(var + epsilon) * weight + bias over the dims from axis on.',
  [{ name: 'x' }, { name: 'weight' }, { name: 'bias', optional: true }],
  layerNormAttrs, { weight: 1, bias: 2 }, (ctx) => ctx.attrs,
);

export const RMSNorm = defineNorm(
  'RMSNorm', 'x / sqrt(mean(x²) + epsilon) * (offset + weight) over the dims from axis on.',
  [{ name: 'x' }, { name: 'weight' }],
  rmsNormAttrs, { weight: 1 }, (ctx) => ctx.attrs,
);

export const SkipLayerNorm = defineNorm(
  'SkipLayerNorm', 'LayerNorm(x + skip); the optional second output is x + skip.',
  [{ name: 'x' }, { name: 'skip' }, { name: 'weight' }, { name: 'bias', optional: true }],
  layerNormAttrs, { skip: 1, weight: 2, bias: 3 }, (ctx) => ctx.attrs,
);

export const SkipRMSNorm = defineNorm(
  'SkipRMSNorm', 'RMSNorm(x + skip); the optional second output is x + skip.',
  [{ name: 'x' }, { name: 'skip' }, { name: 'weight' }],
  rmsNormAttrs, { skip: 1, weight: 2 }, (ctx) => ctx.attrs,
);
