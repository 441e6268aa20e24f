// Op spec: Einsum (general equations: ellipsis, repeated letters, implicit output).
import { attr } from '../attrs.js';
import { type Dim, dimEq, dimToString, isKnown } from '../dim.js';
import { ONNX_DOMAIN, type Node } from '../graph.js';
import { tensorType } from '../types.js';
import { MATMUL_DTYPES, typedInput } from './nn-checks.js';
import { type LabelledEquation, labelEquation, parseEquation } from './einsum-equation.js';
import { freshDim } from './shape-inputs.js';
import { opError } from './shape-util.js';
import { defineOp } from './spec.js';

/** The size of every label; ellipsis dims broadcast (1 against n), letters must agree. */
export function labelSizes(node: Node, eq: LabelledEquation, shapes: readonly (readonly Dim[] | undefined)[]): Map<string, Dim> {
  const sizes = new Map<string, Dim>();
  eq.inputs.forEach((labels, i) => labels.forEach((l, d) => {
    const shape = shapes[i];
    if (shape === undefined) return;
    const size = shape[d]!;
    const seen = sizes.get(l);
    if (seen === undefined || (isKnown(seen) && seen === 1 && l.startsWith('.'))) { sizes.set(l, size); return; }
    if (dimEq(seen, size) || (l.startsWith('.') && isKnown(size) && size === 1)) return;
    if (isKnown(seen) && isKnown(size)) {
      throw opError(node, `label '${l.startsWith('.') ? '...' : l}' has size ${dimToString(seen)} in one place and ${dimToString(size)} in input ${i}`);
    }
    if (!isKnown(seen) && isKnown(size)) sizes.set(l, size);
  }));
  return sizes;
}

export const Einsum = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Einsum',
  inputs: [{ name: 'Inputs', variadic: true }],
  outputs: [{ name: 'Output' }],
  attrs: { equation: attr.string.required() },
  doc: 'Sums products of the operands over the labels the equation leaves out of the output.',
  infer: (ctx) => {
    const types = ctx.inputs.map((_, i) => typedInput(ctx, i, `operand ${i}`, MATMUL_DTYPES));
    if (types.length === 0) throw opError(ctx.node, 'Einsum needs at least one input');
    const dtype = types[0]!.dtype;
    types.forEach((t, i) => { if (t.dtype !== dtype) throw opError(ctx.node, `operand ${i} is ${t.dtype}, operand 0 is ${dtype}`); });
    const parsed = parseEquation(ctx.node, ctx.attrs.equation);
    const eq = labelEquation(ctx.node, parsed, types.map((t) => t.shape?.length));
    if (eq === undefined) return [tensorType(dtype)];
    const sizes = labelSizes(ctx.node, eq, types.map((t) => t.shape));
    return [tensorType(dtype, eq.output.map((l, i) => sizes.get(l) ?? freshDim(ctx.node, i)))];
  },
});
