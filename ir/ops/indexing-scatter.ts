// Op specs: writing by index (ScatterND, ScatterElements), with their reductions.
import { attr } from '../attrs.js';
import { type Dim, dimEq } from '../dim.js';
import { ONNX_DOMAIN, type Node } from '../graph.js';
import { tensorType } from '../types.js';
import { requireIntegerInput } from './shape-inputs.js';
import { inputType, normalizeAxis, opError, sameDType, shapeString } from './shape-util.js';
import { defineOp } from './spec.js';

export const SCATTER_REDUCTIONS = ['none', 'add', 'mul', 'max', 'min'] as const;
export type ScatterReduction = (typeof SCATTER_REDUCTIONS)[number];

export function scatterReduction(node: Node, reduction: string): ScatterReduction {
  const found = SCATTER_REDUCTIONS.find((r) => r === reduction);
  if (found === undefined) throw opError(node, `unknown reduction '${reduction}' (expected ${SCATTER_REDUCTIONS.join(', ')})`);
  return found;
}

/** Combines the value already in place with an update, per reduction. */
export function reduceScatter(reduction: ScatterReduction, old: number, update: number): number {
  switch (reduction) {
    case 'none': return update;
    case 'add': return old + update;
    case 'mul': return old * update;
    case 'max': return Math.max(old, update);
    case 'min': return Math.min(old, update);
  }
}

/** ScatterND needs updates shaped indices.shape[:-1] + data.shape[k:]; checked where dims are known. */
export function checkScatterNDShapes(node: Node, data: readonly Dim[], indices: readonly Dim[], updates: readonly Dim[]): void {
  const k = indices[indices.length - 1];
  if (indices.length < 1 || typeof k !== 'number') return;
  if (k > data.length) throw opError(node, `index tuples of length ${k} do not fit data of rank ${data.length}`);
  const want = [...indices.slice(0, -1), ...data.slice(k)];
  if (want.length !== updates.length || want.some((d, i) => typeof d === 'number' && typeof updates[i] === 'number' && !dimEq(d, updates[i]!))) {
    throw opError(node, `updates ${shapeString(updates)} should be ${shapeString(want)}`);
  }
}

export const ScatterND = defineOp({
  domain: ONNX_DOMAIN,
  name: 'ScatterND',
  inputs: [{ name: 'data' }, { name: 'indices' }, { name: 'updates' }],
  outputs: [{ name: 'output' }],
  attrs: { reduction: attr.string.default('none') },
  doc: 'A copy of data with the slices addressed by index tuples replaced by (or reduced with) updates.',
  infer: (ctx) => {
    const data = inputType(ctx, 0);
    const indices = inputType(ctx, 1);
    const updates = inputType(ctx, 2);
    sameDType(ctx, [0, 2]);
    scatterReduction(ctx.node, ctx.attrs.reduction);
    if (indices.dtype !== 'int64') throw opError(ctx.node, `indices must be int64, found ${indices.dtype}`);
    if (data.shape !== undefined && indices.shape !== undefined && updates.shape !== undefined) {
      checkScatterNDShapes(ctx.node, data.shape, indices.shape, updates.shape);
    }
    return [tensorType(data.dtype, data.shape)];
  },
});

export const ScatterElements = defineOp({
  domain: ONNX_DOMAIN,
  name: 'ScatterElements',
  inputs: [{ name: 'data' }, { name: 'indices' }, { name: 'updates' }],
  outputs: [{ name: 'output' }],
  attrs: { axis: attr.int.default(0), reduction: attr.string.default('none') },
  doc: 'A copy of data with out[indices[i][j]][j] = updates[i][j] (for axis 0), or reduced with it.',
  infer: (ctx) => {
    const data = inputType(ctx, 0);
    const indices = inputType(ctx, 1);
    const updates = inputType(ctx, 2);
    sameDType(ctx, [0, 2]);
    requireIntegerInput(ctx, 1, 'indices');
    scatterReduction(ctx.node, ctx.attrs.reduction);
    if (data.shape !== undefined) normalizeAxis(ctx.node, ctx.attrs.axis, data.shape.length);
    if (indices.shape !== undefined && updates.shape !== undefined && indices.shape.length !== updates.shape.length) {
      throw opError(ctx.node, `updates ${shapeString(updates.shape)} must have the shape of indices ${shapeString(indices.shape)}`);
    }
    return [tensorType(data.dtype, data.shape)];
  },
});
