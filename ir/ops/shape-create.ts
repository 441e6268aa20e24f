// Op specs: tensors made from attributes or from another tensor's shape
// (Constant, ConstantOfShape, Shape, Size, Range, EyeLike).
import { type AttrValues, attr } from '../attrs.js';
import { dimToString } from '../dim.js';
import { dtypeFromOnnx } from '../dtype.js';
import { ONNX_DOMAIN, type Node } from '../graph.js';
import { type Tensor, makeTensor } from '../tensor.js';
import { tensorType } from '../types.js';
import { constantValues, freshDim, freshDims, requireIntegerInput, shapeFromInput } from './shape-inputs.js';
import { inputType, opError, sameDType } from './shape-util.js';
import { defineOp } from './spec.js';

const CONSTANT_ATTRS = {
  value: attr.tensor.optional(),
  value_float: attr.float.optional(),
  value_floats: attr.floats.optional(),
  value_int: attr.int.optional(),
  value_ints: attr.ints.optional(),
  value_string: attr.string.optional(),
  value_strings: attr.strings.optional(),
  sparse_value: attr.tensor.optional(),
};

/** The tensor a Constant node holds, from whichever one of its value attributes is set. */
export function constantValue(node: Node, a: AttrValues<typeof CONSTANT_ATTRS>): Tensor {
  const given = Object.entries(a).filter(([, v]) => v !== undefined).map(([k]) => k);
  if (given.length !== 1) {
    throw opError(node, `needs exactly one value attribute, found ${given.length === 0 ? 'none' : given.join(', ')}`);
  }
  if (a.sparse_value !== undefined) throw opError(node, 'sparse_value is not supported; store the constant densely');
  if (a.value_string !== undefined || a.value_strings !== undefined) {
    throw opError(node, 'string constants are not supported');
  }
  if (a.value !== undefined) return a.value;
  if (a.value_float !== undefined) return makeTensor('float32', [], [a.value_float]);
  if (a.value_floats !== undefined) return makeTensor('float32', [a.value_floats.length], a.value_floats);
  if (a.value_int !== undefined) return makeTensor('int64', [], [a.value_int]);
  const ints = a.value_ints ?? [];
  return makeTensor('int64', [ints.length], ints);
}

export const Constant = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Constant',
  inputs: [],
  outputs: [{ name: 'output' }],
  attrs: CONSTANT_ATTRS,
  doc: 'A tensor given by exactly one of the value attributes.',
  infer: (ctx) => {
    const t = constantValue(ctx.node, ctx.attrs);
    return [tensorType(t.dtype, t.shape)];
  },
});

export const ConstantOfShape = defineOp({
  domain: ONNX_DOMAIN,
  name: 'ConstantOfShape',
  inputs: [{ name: 'input' }],
  outputs: [{ name: 'output' }],
  attrs: { value: attr.tensor.optional() },
  doc: 'A tensor of the given shape filled with one value (float32 0 by default).',
  infer: (ctx) => {
    requireIntegerInput(ctx, 0, 'shape');
    const value = ctx.attrs.value;
    if (value !== undefined && value.data.length !== 1) throw opError(ctx.node, 'value must hold exactly one element');
    return [tensorType(value?.dtype ?? 'float32', shapeFromInput(ctx, 0))];
  },
});

/** The [start, end) range of dims that Shape returns, clamped like Slice. */
export function shapeRange(rank: number, start: number, end: number | undefined): [number, number] {
  const clamp = (v: number) => Math.min(rank, Math.max(0, v < 0 ? v + rank : v));
  const s = clamp(start);
  return [s, Math.max(s, clamp(end ?? rank))];
}

export const Shape = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Shape',
  inputs: [{ name: 'data' }],
  outputs: [{ name: 'shape' }],
  attrs: { start: attr.int.default(0), end: attr.int.optional() },
  doc: 'The shape of the input as a 1-D int64 tensor, optionally a [start, end) slice of it.',
  infer: (ctx) => {
    const shape = inputType(ctx, 0).shape;
    if (shape === undefined) return [tensorType('int64', [freshDim(ctx.node, 0)])];
    const [s, e] = shapeRange(shape.length, ctx.attrs.start, ctx.attrs.end);
    return [tensorType('int64', [e - s])];
  },
});

export const Size = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Size',
  inputs: [{ name: 'data' }],
  outputs: [{ name: 'size' }],
  attrs: {},
  doc: 'The element count of the input as an int64 scalar.',
  infer: (ctx) => {
    inputType(ctx, 0);
    return [tensorType('int64', [])];
  },
});

/** The element count of Range(start, limit, delta). */
export function rangeLength(node: Node, start: number, limit: number, delta: number): number {
  if (delta === 0 || !Number.isFinite(delta)) throw opError(node, `delta must be finite and non-zero, found ${delta}`);
  return Math.max(Math.ceil((limit - start) / delta), 0);
}

export const Range = defineOp({
  domain: ONNX_DOMAIN,
  name: 'Range',
  inputs: [{ name: 'start' }, { name: 'limit' }, { name: 'delta' }],
  outputs: [{ name: 'output' }],
  attrs: {},
  doc: 'The 1-D sequence start, start + delta, ... up to but excluding limit.',
  infer: (ctx) => {
    const dtype = sameDType(ctx, [0, 1, 2]);
    const [start, limit, delta] = [0, 1, 2].map((i) => constantValues(ctx, i)?.[0]);
    if (start === undefined || limit === undefined || delta === undefined) {
      return [tensorType(dtype, [freshDim(ctx.node, 0)])];
    }
    return [tensorType(dtype, [rangeLength(ctx.node, start, limit, delta)])];
  },
});

export const EyeLike = defineOp({
  domain: ONNX_DOMAIN,
  name: 'EyeLike',
  inputs: [{ name: 'input' }],
  outputs: [{ name: 'output' }],
  attrs: { dtype: attr.int.optional(), k: attr.int.default(0) },
  doc: 'A 2-D tensor shaped like the input with ones on the k-th diagonal.',
  infer: (ctx) => {
    const t = inputType(ctx, 0);
    if (t.shape !== undefined && t.shape.length !== 2) {
      throw opError(ctx.node, `input must be 2-D, found [${t.shape.map(dimToString).join(', ')}]`);
    }
    return [tensorType(eyeLikeDType(ctx.node, ctx.attrs.dtype, t.dtype), t.shape ?? freshDims(ctx.node, 2))];
  },
});

/** EyeLike's output dtype: the dtype attribute (an ONNX code) or the input's. */
export function eyeLikeDType(node: Node, code: number | undefined, fallback: Tensor['dtype']): Tensor['dtype'] {
  if (code === undefined) return fallback;
  const dtype = dtypeFromOnnx(code);
  if (dtype === undefined || dtype === 'string') throw opError(node, `unsupported dtype code ${code}`);
  return dtype;
}
