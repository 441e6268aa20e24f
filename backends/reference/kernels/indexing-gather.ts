// Reference kernels: Gather, GatherElements, GatherND, Compress, OneHot.
import { Compress, Gather, GatherElements, GatherND, OneHot, compressCount, gatherDims, gatherNDDims, oneHotDepth, oneHotDims } from '../../../ir/ops/indexing-gather.js';
import { scalarValue } from '../../../ir/ops/shape-inputs.js';
import { normalizeAxis, opError } from '../../../ir/ops/shape-util.js';
import type { Node } from '../../../ir/graph.js';
import { type Tensor, allocData, makeTensor, numel } from '../../../ir/tensor.js';
import { defineKernel } from '../kernel.js';
import { forEachCoord, stridesOf, takeAlongAxis } from '../strides.js';
import { concreteShape, indexInto, required, valuesOf } from './args.js';

defineKernel(Gather, (inputs, attrs, node) => {
  const data = required(inputs, 0, node);
  const indices = required(inputs, 1, node);
  const axis = normalizeAxis(node, attrs.axis, data.shape.length);
  const shape = concreteShape(node, gatherDims(node, data.shape, indices.shape, axis));
  const size = data.shape[axis]!;
  const positions = valuesOf(indices).map((i) => indexInto(node, i, size, 'index'));
  return [takeAlongAxis(data, axis, positions, shape)];
});

defineKernel(GatherElements, (inputs, attrs, node) => {
  const data = required(inputs, 0, node);
  const indices = required(inputs, 1, node);
  if (indices.shape.length !== data.shape.length) throw opError(node, 'indices must have the rank of data');
  const offsetOf = elementOffsets(node, data.shape, normalizeAxis(node, attrs.axis, data.shape.length));
  const out = allocData(data.dtype, indices.data.length);
  forEachCoord(indices.shape, (coord, flat) => {
    out[flat] = data.data[offsetOf(coord, indices.data[flat]!)]!;
  });
  return [{ dtype: data.dtype, shape: [...indices.shape], data: out }];
});

/**
 * GatherElements' and ScatterElements' addressing: the data offset for an element of indices
 * at `coord` holding `index` (possibly negative), which stands in for the coordinate on `axis`.
 */
export function elementOffsets(node: Node, dataShape: readonly number[], axis: number): (coord: readonly number[], index: number) => number {
  const strides = stridesOf(dataShape);
  return (coord, index) => {
    const at = indexInto(node, index, dataShape[axis]!, 'index');
    let offset = 0;
    for (let i = 0; i < coord.length; i++) {
      if (i !== axis && coord[i]! >= dataShape[i]!) throw opError(node, `indices dim ${i} is larger than data's`);
      offset += (i === axis ? at : coord[i]!) * strides[i]!;
    }
    return offset;
  };
}

/**
 * Visits the data slices GatherND and ScatterND address: for each index tuple t (flat, in
 * the order of indices' leading dims), the flat offset of the first element of its slice.
 */
export function forEachIndexTuple(node: Node, dataShape: readonly number[], indices: Tensor, batchDims: number, visit: (tuple: number, offset: number) => void): void {
  const k = indices.shape[indices.shape.length - 1]!;
  const batchShape = dataShape.slice(0, batchDims);
  const perBatchData = numel(dataShape.slice(batchDims));
  const tuples = numel(indices.shape.slice(0, -1));
  const perBatchTuples = tuples / Math.max(numel(batchShape), 1);
  const strides = stridesOf(dataShape.slice(batchDims));
  for (let t = 0; t < tuples; t++) {
    let offset = Math.floor(t / perBatchTuples) * perBatchData;
    for (let j = 0; j < k; j++) {
      const size = dataShape[batchDims + j]!;
      offset += indexInto(node, indices.data[t * k + j]!, size, `index ${j} of tuple ${t}`) * strides[j]!;
    }
    visit(t, offset);
  }
}

defineKernel(GatherND, (inputs, attrs, node) => {
  const data = required(inputs, 0, node);
  const indices = required(inputs, 1, node);
  const b = attrs.batch_dims;
  const shape = concreteShape(node, gatherNDDims(node, data.shape, indices.shape, b) ?? []);
  const batch = (s: readonly number[]) => s.slice(0, b).join(',');
  if (batch(data.shape) !== batch(indices.shape)) throw opError(node, `the first ${b} dims of data and indices must agree`);
  const k = indices.shape[indices.shape.length - 1]!;
  const slice = numel(data.shape.slice(b + k));
  const out = allocData(data.dtype, numel(shape));
  forEachIndexTuple(node, data.shape, indices, b, (t, offset) => out.set(data.data.subarray(offset, offset + slice), t * slice));
  return [{ dtype: data.dtype, shape, data: out }];
});

defineKernel(Compress, (inputs, attrs, node) => {
  const x = required(inputs, 0, node);
  const condition = valuesOf(required(inputs, 1, node));
  const flat = attrs.axis === undefined;
  const source = flat ? { ...x, shape: [x.data.length] } : x;
  const axis = flat ? 0 : normalizeAxis(node, attrs.axis!, x.shape.length);
  const count = compressCount(node, condition, source.shape[axis]);
  const kept = condition.flatMap((c, i) => (c !== 0 ? [i] : []));
  return [takeAlongAxis(source, axis, kept, source.shape.map((d, i) => (i === axis ? count : d)))];
});

defineKernel(OneHot, (inputs, attrs, node) => {
  const indices = required(inputs, 0, node);
  const depth = oneHotDepth(node, scalarValue(node, required(inputs, 1, node), 'depth'));
  const values = required(inputs, 2, node);
  if (values.data.length !== 2) throw opError(node, `values must hold [off, on], found ${values.data.length} elements`);
  const [off, on] = [values.data[0]!, values.data[1]!];
  const shape = concreteShape(node, oneHotDims(node, indices.shape, depth, attrs.axis));
  const axis = normalizeAxis(node, attrs.axis, shape.length);
  const out = makeTensor(values.dtype, shape);
  out.data.fill(off);
  const inner = numel(shape.slice(axis + 1));
  // Index element at flat position p = o * inner + r lights output (o, index, r); out-of-range indices stay all off.
  indices.data.forEach((v, p) => {
    const index = Math.trunc(v) < 0 ? Math.trunc(v) + depth : Math.trunc(v);
    if (index < 0 || index >= depth) return;
    const [o, r] = [Math.floor(p / inner), p % inner];
    out.data[(o * depth + index) * inner + r] = on;
  });
  return [out];
});

