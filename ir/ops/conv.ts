// Op specs: Conv and ConvTranspose over N spatial dims (NC + spatial layout).
import { attr } from '../attrs.js';
import { type Dim, dimMul, isKnown } from '../dim.js';
import { ONNX_DOMAIN, type Node } from '../graph.js';
import { tensorType } from '../types.js';
import { optionalInput, requireSameDim, typedInput } from './nn-checks.js';
import { freshDim } from './shape-inputs.js';
import { opError, shapeString } from './shape-util.js';
import { defineOp } from './spec.js';
import { type Window, type WindowAttrs, kernelExtent, resolveWindow, windowOutputDim } from './window.js';

const windowAttrs = {
  auto_pad: attr.string.default('NOTSET'),
  dilations: attr.ints.optional(),
  group: attr.int.default(1),
  kernel_shape: attr.ints.optional(),
  pads: attr.ints.optional(),
  strides: attr.ints.optional(),
};

/** The kernel's spatial size: kernel_shape when given (it must match W), else W's spatial dims. */
export function kernelShapeOf(node: Node, w: readonly Dim[], given: readonly number[] | undefined): number[] | undefined {
  const fromW = w.slice(2);
  if (given !== undefined) {
    if (given.length !== fromW.length) throw opError(node, `kernel_shape [${given.join(', ')}] does not fit W ${shapeString(w)}`);
    fromW.forEach((d, i) => requireSameDim(node, d, given[i], `kernel_shape differs from W's spatial dim ${i}`));
    return [...given];
  }
  return fromW.every(isKnown) ? (fromW as number[]) : undefined;
}

/** Checks X [N, C, ...] against W and returns the resolved window, or undefined when W's spatial size is unknown. */
export function convWindow(node: Node, x: readonly Dim[], w: readonly Dim[], attrs: WindowAttrs & { group: number }): Window | undefined {
  if (x.length < 3) throw opError(node, `X must be [N, C, spatial...], found ${shapeString(x)}`);
  if (w.length !== x.length) throw opError(node, `W ${shapeString(w)} must have the rank of X ${shapeString(x)}`);
  if (attrs.group < 1) throw opError(node, `group must be positive, found ${attrs.group}`);
  const kernel = kernelShapeOf(node, w, attrs.kernel_shape);
  return kernel === undefined ? undefined : resolveWindow(node, attrs, x.length - 2, kernel);
}

/** Conv's output dims [N, M, spatial...]. */
export function convDims(node: Node, x: readonly Dim[], w: readonly Dim[], attrs: WindowAttrs & { group: number }): Dim[] {
  const win = convWindow(node, x, w, attrs);
  requireSameDim(node, x[1], isKnown(w[1]!) ? w[1]! * attrs.group : undefined, `X's channels must equal W's input channels times group ${attrs.group}`);
  const m = w[0]!;
  if (isKnown(m) && m % attrs.group !== 0) throw opError(node, `output channels ${m} are not divisible by group ${attrs.group}`);
  const spatial = x.slice(2).map((d, i) => (win === undefined ? freshDim(node, `s${i}`) : windowOutputDim(node, win, i, d, false)));
  return [x[0]!, m, ...spatial];
}

export const Conv = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Conv',
  inputs: [{ name: 'X' }, { name: 'W' }, { name: 'B', optional: true }],
  outputs: [{ name: 'Y' }],
  attrs: windowAttrs,
  doc: 'N-d convolution (cross-correlation) with groups, strides, dilations and padding.',
  infer: (ctx) => {
    const x = typedInput(ctx, 0, 'X');
    const w = optionalInput(ctx, 1, 'W', x.dtype) ?? typedInput(ctx, 1, 'W');
    const b = optionalInput(ctx, 2, 'B', x.dtype);
    if (b?.shape !== undefined && (b.shape.length !== 1)) throw opError(ctx.node, `B must be 1-D, found ${shapeString(b.shape)}`);
    if (x.shape === undefined || w.shape === undefined) return [tensorType(x.dtype)];
    requireSameDim(ctx.node, b?.shape?.[0], w.shape[0], 'B must hold one value per output channel');
    return [tensorType(x.dtype, convDims(ctx.node, x.shape, w.shape, ctx.attrs))];
  },
});

/** ConvTranspose's spatial output sizes and begin pads for concrete input sizes. */
export function convTransposeGeometry(
  node: Node, win: Window, sizes: readonly number[], outputPadding: readonly number[], outputShape: readonly number[] | undefined,
): { out: number[]; padBegin: number[] } {
  const rank = sizes.length;
  const full = sizes.map((s, d) => win.strides[d]! * (s - 1) + outputPadding[d]! + kernelExtent(win, d));
  const target = outputShape?.slice(-rank) ?? (win.autoPad === 'SAME_UPPER' || win.autoPad === 'SAME_LOWER' ? sizes.map((s, d) => s * win.strides[d]!) : undefined);
  if (target === undefined) {
    const pads = win.autoPad === 'VALID' ? new Array<number>(2 * rank).fill(0) : win.pads;
    return { out: full.map((f, d) => f - pads[d]! - pads[d + rank]!), padBegin: pads.slice(0, rank) };
  }
  // A negative total pads the output past what the input reaches; those cells stay zero (plus bias).
  const padBegin = full.map((f, d) => {
    const total = f - target[d]!;
    return win.autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
  });
  return { out: [...target], padBegin };
}

export const ConvTranspose = defineOp({
  domain: ONNX_DOMAIN,
  name: 'ConvTranspose',
  inputs: [{ name: 'X' }, { name: 'W' }, { name: 'B', optional: true }],
  outputs: [{ name: 'Y' }],
  attrs: { ...windowAttrs, output_padding: attr.ints.optional(), output_shape: attr.ints.optional() },
  doc: 'N-d transposed convolution (the gradient of Conv) with groups, strides, dilations and padding.',
  infer: (ctx) => {
    const x = typedInput(ctx, 0, 'X');
    const w = optionalInput(ctx, 1, 'W', x.dtype) ?? typedInput(ctx, 1, 'W');
    optionalInput(ctx, 2, 'B', x.dtype);
    if (x.shape === undefined || w.shape === undefined) return [tensorType(x.dtype)];
    const win = convWindow(ctx.node, x.shape, w.shape, ctx.attrs);
    requireSameDim(ctx.node, x.shape[1], w.shape[0], `X's channels must equal W's first dim`);
    const channels = dimMul(w.shape[1]!, ctx.attrs.group);
    const sizes = x.shape.slice(2);
    const rank = sizes.length;
    const outPad = ctx.attrs.output_padding ?? new Array<number>(rank).fill(0);
    if (outPad.length !== rank) throw opError(ctx.node, `output_padding has ${outPad.length} entries, expected ${rank}`);
    if (win === undefined || !sizes.every(isKnown)) {
      const given = ctx.attrs.output_shape?.slice(-rank);
      return [tensorType(x.dtype, [x.shape[0]!, channels, ...sizes.map((_, i) => given?.[i] ?? freshDim(ctx.node, `s${i}`))])];
    }
    const { out } = convTransposeGeometry(ctx.node, win, sizes as number[], outPad, ctx.attrs.output_shape);
    return [tensorType(x.dtype, [x.shape[0]!, channels, ...out])];
  },
});
