// Op specs: ops that grow or regroup a tensor (Tile, Pad, SpaceToDepth, DepthToSpace).
import { attr } from '../attrs.js';
import { type Dim, dimAdd, dimDiv, dimMul, isKnown } from '../dim.js';
import { ONNX_DOMAIN, type Node } from '../graph.js';
import { type TensorType, tensorType } from '../types.js';
import { constantValues, freshDim, freshDims, normalizeAxes, requireIntegerInput } from './shape-inputs.js';
import { inputType, opError, shapeString } from './shape-util.js';
import { defineOp } from './spec.js';

/** Tile's output dims: each dim times its repeat count. */
export function tileDims(node: Node, shape: readonly Dim[], repeats: readonly number[]): Dim[] {
  if (repeats.length !== shape.length) throw opError(node, `repeats has ${repeats.length} entries for rank ${shape.length}`);
  if (repeats.some((r) => r < 0)) throw opError(node, `repeats [${repeats.join(', ')}] has a negative count`);
  return shape.map((d, i) => dimMul(d, repeats[i]!));
}

export const Tile = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Tile',
  inputs: [{ name: 'input' }, { name: 'repeats' }],
  outputs: [{ name: 'output' }],
  attrs: {},
  doc: 'Repeats the input along every dim.',
  infer: (ctx) => {
    const t = inputType(ctx, 0);
    requireIntegerInput(ctx, 1, 'repeats');
    if (t.shape === undefined) return [tensorType(t.dtype)];
    const repeats = constantValues(ctx, 1);
    return [tensorType(t.dtype, repeats === undefined ? freshDims(ctx.node, t.shape.length) : tileDims(ctx.node, t.shape, repeats))];
  },
});

export const PAD_MODES = ['constant', 'reflect', 'edge', 'wrap'] as const;
export type PadMode = (typeof PAD_MODES)[number];

export function padMode(node: Node, mode: string): PadMode {
  const found = PAD_MODES.find((m) => m === mode);
  if (found === undefined) throw opError(node, `unknown mode '${mode}' (expected ${PAD_MODES.join(', ')})`);
  return found;
}

/** Pad amounts before and after each dim (negative crops), from the pads vector and its axes. */
export function padAmounts(node: Node, rank: number, pads: readonly number[], axes: readonly number[] | undefined): { before: number[]; after: number[] } {
  const along = normalizeAxes(node, axes ?? Array.from({ length: rank }, (_, i) => i), rank);
  if (pads.length !== 2 * along.length) throw opError(node, `pads has ${pads.length} entries, expected ${2 * along.length}`);
  const before = new Array<number>(rank).fill(0);
  const after = new Array<number>(rank).fill(0);
  along.forEach((a, i) => {
    before[a] = pads[i]!;
    after[a] = pads[i + along.length]!;
  });
  return { before, after };
}

/** Pad's output dims. */
export function padDims(node: Node, shape: readonly Dim[], before: readonly number[], after: readonly number[]): Dim[] {
  return shape.map((d, i) => {
    const out = dimAdd(d, before[i]! + after[i]!);
    if (isKnown(out) && out < 0) throw opError(node, `pads crop more than the ${d} elements of axis ${i}`);
    return out;
  });
}

export const Pad = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Pad',
  inputs: [{ name: 'data' }, { name: 'pads' }, { name: 'constant_value', optional: true }, { name: 'axes', optional: true }],
  outputs: [{ name: 'output' }],
  attrs: { mode: attr.string.default('constant') },
  doc: 'Pads (or, with negative pads, crops) each axis: constant, reflect, edge or wrap.',
  infer: (ctx) => {
    const t = inputType(ctx, 0);
    padMode(ctx.node, ctx.attrs.mode);
    requireIntegerInput(ctx, 1, 'pads');
    requireIntegerInput(ctx, 3, 'axes');
    const value = ctx.inputs[2];
    if (value !== undefined && value.dtype !== t.dtype) throw opError(ctx.node, `constant_value is ${value.dtype}, data is ${t.dtype}`);
    if (t.shape === undefined) return [tensorType(t.dtype)];
    const pads = constantValues(ctx, 1);
    const axes = constantValues(ctx, 3);
    const axesKnown = axes !== undefined || ctx.inputs[3] === undefined;
    if (pads !== undefined && axesKnown) {
      const { before, after } = padAmounts(ctx.node, t.shape.length, pads, axes);
      return [tensorType(t.dtype, padDims(ctx.node, t.shape, before, after))];
    }
    const padded = axes === undefined ? undefined : normalizeAxes(ctx.node, axes, t.shape.length);
    return [tensorType(t.dtype, t.shape.map((d, i) => (padded === undefined || padded.includes(i) ? freshDim(ctx.node, i) : d)))];
  },
});

/** Checks a 4-D NCHW input for the block rearrangements and returns its dims. */
function blockInput(ctx: { node: Node; inputs: readonly (TensorType | undefined)[] }, blocksize: number): readonly Dim[] | undefined {
  if (blocksize < 1) throw opError(ctx.node, `blocksize must be positive, found ${blocksize}`);
  const t = ctx.inputs[0];
  if (t === undefined) throw opError(ctx.node, 'input 0 is required');
  if (t.shape !== undefined && t.shape.length !== 4) throw opError(ctx.node, `input must be 4-D NCHW, found ${shapeString(t.shape)}`);
  return t.shape;
}

/** An exact quotient of a dim by the block size; a user error when a known dim does not divide. */
function divideDim(node: Node, d: Dim, by: number, what: string, fresh: string): Dim {
  const q = dimDiv(d, by);
  if (q !== undefined) return q;
  if (isKnown(d)) throw opError(node, `${what} ${d} is not divisible by ${by}`);
  return freshDim(node, fresh);
}

/** SpaceToDepth's output dims: [N, C*b*b, H/b, W/b]. */
export function spaceToDepthDims(node: Node, shape: readonly Dim[], b: number): Dim[] {
  const [n, c, h, w] = shape as [Dim, Dim, Dim, Dim];
  return [n, dimMul(c, b * b), divideDim(node, h, b, 'height', 'd2'), divideDim(node, w, b, 'width', 'd3')];
}

/** DepthToSpace's output dims: [N, C/(b*b), H*b, W*b]. */
export function depthToSpaceDims(node: Node, shape: readonly Dim[], b: number): Dim[] {
  const [n, c, h, w] = shape as [Dim, Dim, Dim, Dim];
  return [n, divideDim(node, c, b * b, 'channel count', 'd1'), dimMul(h, b), dimMul(w, b)];
}

export const SpaceToDepth = defineOp({
  domain: ONNX_DOMAIN,
  name: 'SpaceToDepth',
  inputs: [{ name: 'input' }],
  outputs: [{ name: 'output' }],
  attrs: { blocksize: attr.int.required() },
  doc: 'Moves blocksize x blocksize spatial blocks into channels.',
  infer: (ctx) => {
    const shape = blockInput(ctx, ctx.attrs.blocksize);
    return [tensorType(inputType(ctx, 0).dtype, shape && spaceToDepthDims(ctx.node, shape, ctx.attrs.blocksize))];
  },
});

export const DepthToSpace = defineOp({
  domain: ONNX_DOMAIN,
  name: 'DepthToSpace',
  inputs: [{ name: 'input' }],
  outputs: [{ name: 'output' }],
  attrs: { blocksize: attr.int.required(), mode: attr.string.default('DCR') },
  doc: 'Moves channels into blocksize x blocksize spatial blocks (DCR or CRD order).',
  infer: (ctx) => {
    if (ctx.attrs.mode !== 'DCR' && ctx.attrs.mode !== 'CRD') throw opError(ctx.node, `mode must be DCR or CRD, found '${ctx.attrs.mode}'`);
    const shape = blockInput(ctx, ctx.attrs.blocksize);
    return [tensorType(inputType(ctx, 0).dtype, shape && depthToSpaceDims(ctx.node, shape, ctx.attrs.blocksize))];
  },
});
