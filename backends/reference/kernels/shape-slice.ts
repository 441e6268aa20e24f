// Reference kernels: Concat, Split, Slice.
import { normalizeAxis, opError } from '../../../ir/ops/shape-util.js';
import { Concat, Slice, Split, clampSlice, concatDims, sliceAxes, splitSizes } from '../../../ir/ops/shape-slice.js';
import { type Tensor, allocData, numel } from '../../../ir/tensor.js';
import { defineKernel } from '../kernel.js';
import { gatherByCoord, stridesOf } from '../strides.js';
import { concreteShape, required, valuesOf } from './args.js';

defineKernel(Concat, (inputs, attrs, node) => {
  const parts = inputs.map((_, i) => required(inputs, i, node));
  const first = parts[0];
  if (first === undefined) throw opError(node, 'needs at least one input');
  const shape = concreteShape(node, concatDims(node, parts.map((t) => t.shape), attrs.axis));
  const axis = normalizeAxis(node, attrs.axis, shape.length);
  // Row-major: every input contributes one contiguous block per index of the dims before the axis.
  const outer = numel(shape.slice(0, axis));
  const data = allocData(first.dtype, numel(shape));
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (const t of parts) {
      const block = numel(t.shape.slice(axis));
      data.set(t.data.subarray(o * block, (o + 1) * block), at);
      at += block;
    }
  }
  return [{ dtype: first.dtype, shape, data }];
});

defineKernel(Split, (inputs, attrs, node) => {
  const x = required(inputs, 0, node);
  const axis = normalizeAxis(node, attrs.axis, x.shape.length);
  const split = inputs[1] === undefined ? undefined : valuesOf(inputs[1]);
  const sizes = concreteShape(node, splitSizes(node, x.shape[axis]!, node.outputs.length, split, attrs.num_outputs) ?? []);
  const strides = stridesOf(x.shape);
  let offset = 0;
  return sizes.map((size): Tensor => {
    const shape = x.shape.map((d, i) => (i === axis ? size : d));
    const from = offset;
    offset += size;
    return gatherByCoord(x, shape, (coord) => coord.reduce((acc, c, i) => acc + (i === axis ? c + from : c) * strides[i]!, 0));
  });
});

defineKernel(Slice, (inputs, _attrs, node) => {
  const data = required(inputs, 0, node);
  const starts = valuesOf(required(inputs, 1, node));
  const ends = valuesOf(required(inputs, 2, node));
  const [axes, steps] = [inputs[3], inputs[4]].map((t) => (t === undefined ? undefined : valuesOf(t)));
  const start = data.shape.map(() => 0);
  const step = data.shape.map(() => 1);
  const shape = [...data.shape];
  for (const s of sliceAxes(node, data.shape.length, starts, ends, axes, steps)) {
    const c = clampSlice(s.axis, s.start, s.end, s.step, data.shape[s.axis]!);
    [start[c.axis], step[c.axis], shape[c.axis]] = [c.start, c.step, c.length];
  }
  const strides = stridesOf(data.shape);
  return [gatherByCoord(data, shape, (coord) => coord.reduce((acc, c, i) => acc + (start[i]! + c * step[i]!) * strides[i]!, 0))];
});
