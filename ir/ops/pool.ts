// Op specs: MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool.
import { attr } from '../attrs.js';
import type { Dim } from '../dim.js';
import { ONNX_DOMAIN, type Node } from '../graph.js';
import { type TensorType, tensorType } from '../types.js';
import { typedInput } from './nn-checks.js';
import { opError, shapeString } from './shape-util.js';
import { type InferContext, defineOp } from './spec.js';
import { type Window, type WindowAttrs, resolveWindow, windowOutputDim } from './window.js';

const poolAttrs = {
  auto_pad: attr.string.default('NOTSET'),
  ceil_mode: attr.int.default(0),
  dilations: attr.ints.optional(),
  kernel_shape: attr.ints.required(),
  pads: attr.ints.optional(),
  strides: attr.ints.optional(),
};

/** The window of a pool over X [N, C, spatial...]. */
export function poolWindow(node: Node, x: readonly Dim[], attrs: WindowAttrs & { kernel_shape: readonly number[] }): Window {
  if (x.length < 3) throw opError(node, `X must be [N, C, spatial...], found ${shapeString(x)}`);
  if (attrs.kernel_shape.length !== x.length - 2) {
    throw opError(node, `kernel_shape [${attrs.kernel_shape.join(', ')}] does not fit X ${shapeString(x)}`);
  }
  return resolveWindow(node, attrs, x.length - 2, attrs.kernel_shape);
}

/** A pool's output dims [N, C, spatial...]. */
export function poolDims(node: Node, x: readonly Dim[], win: Window, ceilMode: boolean): Dim[] {
  return [x[0]!, x[1]!, ...x.slice(2).map((d, i) => windowOutputDim(node, win, i, d, ceilMode))];
}

function inferPool(ctx: InferContext<typeof poolAttrs>): TensorType {
  const x = typedInput(ctx, 0, 'X');
  if (x.shape === undefined) return tensorType(x.dtype);
  return tensorType(x.dtype, poolDims(ctx.node, x.shape, poolWindow(ctx.node, x.shape, ctx.attrs), ctx.attrs.ceil_mode !== 0));
}

export const MaxPool = defineOp({
  domain: ONNX_DOMAIN,
  name: 'MaxPool',
  inputs: [{ name: 'X' }],
  outputs: [{ name: 'Y' }, { name: 'Indices', optional: true }],
  attrs: { ...poolAttrs, storage_order: attr.int.default(0) },
  doc: 'Max over sliding windows; Indices holds the flat input offset of each max.',
  infer: (ctx) => {
    const y = inferPool(ctx);
    return [y, tensorType('int64', y.shape)];
  },
});

export const AveragePool = defineOp({
  domain: ONNX_DOMAIN,
  name: 'AveragePool',
  inputs: [{ name: 'X' }],
  outputs: [{ name: 'Y' }],
  attrs: { ...poolAttrs, count_include_pad: attr.int.default(0) },
  doc: 'Mean over sliding windows, counting padded cells when count_include_pad is set.',
  infer: (ctx) => [inferPool(ctx)],
});

function inferGlobal(ctx: InferContext): TensorType[] {
  const x = typedInput(ctx, 0, 'X');
  if (x.shape === undefined) return [tensorType(x.dtype)];
  if (x.shape.length < 2) throw opError(ctx.node, `X must be [N, C, spatial...], found ${shapeString(x.shape)}`);
  return [tensorType(x.dtype, x.shape.map((d, i) => (i < 2 ? d : 1)))];
}

export const GlobalAveragePool = defineOp({
  domain: ONNX_DOMAIN,
  name: 'GlobalAveragePool',
  inputs: [{ name: 'X' }],
  outputs: [{ name: 'Y' }],
  attrs: {},
  doc: 'Mean over all spatial dims, keeping them as size 1.',
  infer: inferGlobal,
});

export const GlobalMaxPool = defineOp({
  domain: ONNX_DOMAIN,
  name: 'GlobalMaxPool',
  inputs: [{ name: 'X' }],
  outputs: [{ name: 'Y' }],
  attrs: {},
  doc: 'Max over all spatial dims, keeping them as size 1.',
  infer: inferGlobal,
});
