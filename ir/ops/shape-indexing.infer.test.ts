// Shape inference of the shape and indexing ops on symbolic dims: constant shape inputs
// are read, symbolic dims go through dim arithmetic, run-time values become fresh symbols.
import { describe, expect, it } from 'vitest';
import { type AttrValue, intAttr, intsAttr } from '../attrs.js';
import { type Dim, dimToString, sym } from '../dim.js';
import { SolderError } from '../errors.js';
import { makeTensor, type Tensor } from '../tensor.js';
import { type TensorType, tensorType } from '../types.js';
import { opOf, readAttrs } from './spec.js';
import './index.js';

const [b, s] = [sym('b'), sym('s')];
const f32 = (shape?: readonly Dim[]) => tensorType('float32', shape);
const i64 = (shape?: readonly Dim[]) => tensorType('int64', shape);
const ints = (v: number[]) => makeTensor('int64', [v.length], v);

interface Call {
  inputs: readonly (TensorType | undefined)[];
  attrs?: Record<string, AttrValue>;
  constants?: Record<number, Tensor>;
  outputs?: number;
}

function infer(op: string, call: Call): TensorType[] {
  const node = {
    name: 'n', op, domain: '', attrs: call.attrs ?? {},
    inputs: call.inputs.map((t, i) => (t === undefined ? '' : `x${i}`)),
    outputs: Array.from({ length: call.outputs ?? 1 }, (_, i) => `y${i}`),
  };
  const spec = opOf(node);
  return spec.infer({ node, inputs: call.inputs, attrs: readAttrs(spec, node), constant: (i) => call.constants?.[i] });
}

/** The inferred shape of output k as strings, '?' for an unknown rank. */
function shapeOf(op: string, call: Call, k = 0): string[] | '?' {
  const shape = infer(op, call)[k]?.shape;
  return shape === undefined ? '?' : shape.map(dimToString);
}

describe('inference with symbolic dims', () => {
  it('Reshape copies dims with 0 and divides the symbolic count for -1', () => {
    const x = f32([b, s, 64]);
    expect(shapeOf('Reshape', { inputs: [x, i64([4])], constants: { 1: ints([0, 0, 4, 16]) } })).toEqual(['b', 's', '4', '16']);
    expect(shapeOf('Reshape', { inputs: [x, i64([2])], constants: { 1: ints([-1, 64]) } })).toEqual(['b*s', '64']);
    expect(shapeOf('Reshape', { inputs: [x, i64([1])], constants: { 1: ints([-1]) } })).toEqual(['64*b*s']);
    expect(shapeOf('Reshape', { inputs: [f32([b, s, 4, 16]), i64([3])], constants: { 1: ints([0, 0, -1]) } })).toEqual(['b', 's', '64']);
  });

  it('Reshape with a run-time shape keeps its length as the rank', () => {
    expect(shapeOf('Reshape', { inputs: [f32([b, s]), i64([3])] })).toEqual(['n_d0', 'n_d1', 'n_d2']);
    expect(shapeOf('Reshape', { inputs: [f32([b, s]), i64([sym('k')])] })).toBe('?');
  });

  it('Concat adds the axis dims and keeps the others', () => {
    expect(shapeOf('Concat', { inputs: [f32([b, 3]), f32([b, 5])], attrs: { axis: intAttr(1) } })).toEqual(['b', '8']);
    expect(shapeOf('Concat', { inputs: [f32([s, 4]), f32([sym('t'), 4]), f32([2, 4])], attrs: { axis: intAttr(-2) } })).toEqual(['s + t + 2', '4']);
    expect(shapeOf('Concat', { inputs: [f32([b, 3]), f32()], attrs: { axis: intAttr(1) } })).toEqual(['b', 'n_d1']);
  });

  it('Shape, Size and Flatten on symbolic inputs', () => {
    expect(shapeOf('Shape', { inputs: [f32([b, s, 8])], attrs: { start: intAttr(1) } })).toEqual(['2']);
    expect(shapeOf('Shape', { inputs: [f32()] })).toEqual(['n_d0']);
    expect(shapeOf('Size', { inputs: [f32([b])] })).toEqual([]);
    expect(shapeOf('Flatten', { inputs: [f32([b, s, 64])], attrs: { axis: intAttr(-1) } })).toEqual(['b*s', '64']);
  });

  it('Unsqueeze, Squeeze and Transpose move symbolic dims', () => {
    expect(shapeOf('Unsqueeze', { inputs: [f32([b, s]), i64([2])], constants: { 1: ints([1, -1]) } })).toEqual(['b', '1', 's', '1']);
    expect(shapeOf('Unsqueeze', { inputs: [f32([b, s]), i64([2])] })).toEqual(['n_d0', 'n_d1', 'n_d2', 'n_d3']);
    expect(shapeOf('Squeeze', { inputs: [f32([b, 1, s]), i64([1])], constants: { 1: ints([1]) } })).toEqual(['b', 's']);
    expect(shapeOf('Squeeze', { inputs: [f32([b, 1, s])] })).toBe('?');
    expect(shapeOf('Squeeze', { inputs: [f32([2, 1, 3])] })).toEqual(['2', '3']);
    expect(shapeOf('Transpose', { inputs: [f32([b, s, 8])], attrs: { perm: intsAttr([0, 2, 1]) } })).toEqual(['b', '8', 's']);
  });

  it('Expand broadcasts both ways; a run-time shape keeps the input dims that are not 1', () => {
    expect(shapeOf('Expand', { inputs: [f32([1, s]), i64([2])], constants: { 1: ints([3, 1]) } })).toEqual(['3', 's']);
    expect(shapeOf('Expand', { inputs: [f32([1, 5]), i64([3])] })).toEqual(['n_d0', 'n_d1', '5']);
  });

  it('Slice of a symbolic dim: to the end, or dropping a tail; other windows are fresh', () => {
    const x = f32([b, s, 64]);
    const slice = (starts: number[], ends: number[], axes: number[]) =>
      shapeOf('Slice', { inputs: [x, i64([1]), i64([1]), i64([1])], constants: { 1: ints(starts), 2: ints(ends), 3: ints(axes) } });
    expect(slice([1], [9223372036854775807], [1])).toEqual(['b', 's - 1', '64']);
    expect(slice([0], [-1], [-2])).toEqual(['b', 's - 1', '64']);
    expect(slice([0], [8], [1])).toEqual(['b', 'n_d1', '64']);
    expect(slice([0], [32], [2])).toEqual(['b', 's', '32']);
    expect(shapeOf('Slice', { inputs: [x, i64([1]), i64([1]), i64([1])], constants: { 3: ints([2]) } })).toEqual(['b', 's', 'n_d2']);
  });

  it('Split divides a symbolic dim when it can, and names fresh dims per output otherwise', () => {
    const split = (shape: Dim[]) => [0, 1].map((k) => shapeOf('Split', { inputs: [f32(shape)], attrs: { axis: intAttr(1) }, outputs: 2 }, k));
    expect(split([b, 64])).toEqual([['b', '32'], ['b', '32']]);
    expect(split([b, s])).toEqual([['b', 'n_o0_d1'], ['b', 'n_o1_d1']]);
  });

  it('Gather, Tile, Pad, Range, ConstantOfShape and TopK', () => {
    expect(shapeOf('Gather', { inputs: [f32([b, s, 64]), i64([])], attrs: { axis: intAttr(1) } })).toEqual(['b', '64']);
    expect(shapeOf('Gather', { inputs: [f32([b, s, 64]), i64([sym('k')])], attrs: { axis: intAttr(-2) } })).toEqual(['b', 'k', '64']);
    expect(shapeOf('Tile', { inputs: [f32([b, 4]), i64([2])], constants: { 1: ints([2, 3]) } })).toEqual(['2*b', '12']);
    expect(shapeOf('Pad', { inputs: [f32([b, 4]), i64([4])], constants: { 1: ints([1, 1, 0, 1]) } })).toEqual(['b + 1', '6']);
    expect(shapeOf('Range', { inputs: [i64([]), i64([]), i64([])] })).toEqual(['n_d0']);
    expect(shapeOf('Range', { inputs: [i64([]), i64([]), i64([])], constants: { 0: ints([0]), 1: ints([10]), 2: ints([3]) } })).toEqual(['4']);
    expect(shapeOf('ConstantOfShape', { inputs: [i64([2])] })).toEqual(['n_d0', 'n_d1']);
    expect(shapeOf('TopK', { inputs: [f32([b, 10]), i64([1])] }, 1)).toEqual(['b', 'n_k']);
  });
});

describe('inference errors name the node', () => {
  const fails = (op: string, call: Call, fragment: string) => {
    expect(() => infer(op, call)).toThrow(SolderError);
    expect(() => infer(op, call)).toThrow(`node 'n' (${op}): ${fragment}`);
  };
  it('rejects bad perms, size mismatches and out-of-range axes', () => {
    fails('Transpose', { inputs: [f32([b, s])], attrs: { perm: intsAttr([1, 1]) } }, 'perm [1, 1] is not a permutation');
    fails('Reshape', { inputs: [f32([2, 3]), i64([1])], constants: { 1: ints([5]) } }, 'cannot reshape [2, 3] to [5]');
    fails('Gather', { inputs: [f32([b, s]), i64([])], attrs: { axis: intAttr(2) } }, 'axis 2 out of range for rank 2');
    fails('Concat', { inputs: [f32([2, 3]), f32([4, 5])], attrs: { axis: intAttr(0) } }, 'cannot concatenate');
  });
});
