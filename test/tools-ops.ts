// Test-only ops in the 'test.tools' domain, for the ir/ graph-tool tests: each exercises
// one spec feature (broadcasting, several outputs, optional and variadic slots,
// required attributes) without depending on the ONNX op files others are writing.
import { attr } from '../ir/attrs.js';
import { type Dim, dimAdd, dimDiv, dimEq, isKnown } from '../ir/dim.js';
import { broadcastShapes, inputType, normalizeAxis, opError, sameDType } from '../ir/ops/shape-util.js';
import { defineOp } from '../ir/ops/spec.js';
import { type Tensor, makeTensor } from '../ir/tensor.js';
import { tensorType } from '../ir/types.js';

export const TEST_DOMAIN = 'test.tools';

/** Elementwise sum with numpy broadcasting. */
export const TAdd = defineOp({
  domain: TEST_DOMAIN,
  name: 'Add',
  inputs: [{ name: 'a' }, { name: 'b' }],
  outputs: [{ name: 'sum' }],
  attrs: {},
  doc: 'a + b',
  infer: (ctx) => [tensorType(sameDType(ctx, [0, 1]), broadcastShapes(ctx.node, [ctx.inputs[0]?.shape, ctx.inputs[1]?.shape]))],
});

/** [..., m, k] @ [k, n] -> [..., m, n]. */
export const TMatMul = defineOp({
  domain: TEST_DOMAIN,
  name: 'MatMul',
  inputs: [{ name: 'a' }, { name: 'b' }],
  outputs: [{ name: 'product' }],
  attrs: {},
  doc: 'a @ b with a 2-D right side',
  infer: (ctx) => {
    const dtype = sameDType(ctx, [0, 1]);
    const a = inputType(ctx, 0).shape;
    const b = inputType(ctx, 1).shape;
    if (a === undefined || b === undefined) return [tensorType(dtype)];
    if (b.length !== 2 || a.length < 2) throw opError(ctx.node, 'needs a rank >= 2 left and a 2-D right side');
    if (!dimEq(a[a.length - 1] as Dim, b[0] as Dim)) throw opError(ctx.node, 'inner dims differ');
    return [tensorType(dtype, [...a.slice(0, -1), b[1] as Dim])];
  },
});

/** Two equal halves along axis. */
export const TSplit2 = defineOp({
  domain: TEST_DOMAIN,
  name: 'Split2',
  inputs: [{ name: 'x' }],
  outputs: [{ name: 'first' }, { name: 'second' }],
  attrs: { axis: attr.int.default(0) },
  doc: 'x split in two halves along axis',
  infer: (ctx) => {
    const t = inputType(ctx, 0);
    if (t.shape === undefined) return [tensorType(t.dtype), tensorType(t.dtype)];
    const axis = normalizeAxis(ctx.node, ctx.attrs.axis, t.shape.length);
    const half = dimDiv(t.shape[axis] as Dim, 2);
    if (half === undefined) throw opError(ctx.node, 'axis size is not even');
    const shape = t.shape.map((d, i) => (i === axis ? half : d));
    return [tensorType(t.dtype, shape), tensorType(t.dtype, shape)];
  },
});

/** x (+ bias when given). */
export const TBias = defineOp({
  domain: TEST_DOMAIN,
  name: 'Bias',
  inputs: [{ name: 'x' }, { name: 'bias', optional: true }],
  outputs: [{ name: 'y' }, { name: 'saved', optional: true }],
  attrs: {},
  doc: 'x plus an optional bias; optional second output',
  infer: (ctx) => {
    const t = inputType(ctx, 0);
    return [t, t];
  },
});

/** Concatenation of any number of inputs along a required axis. */
export const TCat = defineOp({
  domain: TEST_DOMAIN,
  name: 'Cat',
  inputs: [{ name: 'parts', variadic: true }],
  outputs: [{ name: 'joined' }],
  attrs: { axis: attr.int.required() },
  doc: 'inputs joined along axis',
  infer: (ctx) => {
    const dtype = sameDType(ctx, ctx.inputs.map((_, i) => i));
    const shapes = ctx.inputs.map((t) => t?.shape);
    const first = shapes[0];
    if (first === undefined || shapes.some((s) => s === undefined)) return [tensorType(dtype)];
    const axis = normalizeAxis(ctx.node, ctx.attrs.axis, first.length);
    const size = shapes.reduce<Dim>((acc, s) => dimAdd(acc, (s as readonly Dim[])[axis] as Dim), 0);
    return [tensorType(dtype, first.map((d, i) => (i === axis ? size : d)))];
  },
});

/** float64 reference for TAdd on same-shape or scalar-broadcast int/float tensors (what tests fold with). */
export function addDirect(a: Tensor, b: Tensor): Tensor {
  const shape = a.data.length >= b.data.length ? a.shape : b.shape;
  const n = Math.max(a.data.length, b.data.length);
  const out = Array.from({ length: n }, (_, i) => (a.data[a.data.length === 1 ? 0 : i] as number) + (b.data[b.data.length === 1 ? 0 : i] as number));
  return makeTensor(a.dtype, shape, out);
}

export function isStatic(shape: readonly Dim[] | undefined): boolean {
  return shape !== undefined && shape.every(isKnown);
}
