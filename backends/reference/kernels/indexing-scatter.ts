// Reference kernels: ScatterND, ScatterElements. Updates apply in order, so with
// reduction 'none' a repeated index keeps the last update.
import { ScatterElements, ScatterND, checkScatterNDShapes, reduceScatter, scatterReduction } from '../../../ir/ops/indexing-scatter.js';
import { normalizeAxis, opError } from '../../../ir/ops/shape-util.js';
import { numel } from '../../../ir/tensor.js';
import { defineKernel } from '../kernel.js';
import { forEachCoord } from '../strides.js';
import { required } from './args.js';
import { elementOffsets, forEachIndexTuple } from './indexing-gather.js';

defineKernel(ScatterND, (inputs, attrs, node) => {
  const data = required(inputs, 0, node);
  const indices = required(inputs, 1, node);
  const updates = required(inputs, 2, node);
  const reduction = scatterReduction(node, attrs.reduction);
  checkScatterNDShapes(node, data.shape, indices.shape, updates.shape);
  const k = indices.shape[indices.shape.length - 1]!;
  const slice = numel(data.shape.slice(k));
  const out = data.data.slice();
  forEachIndexTuple(node, data.shape, indices, 0, (t, offset) => {
    for (let e = 0; e < slice; e++) out[offset + e] = reduceScatter(reduction, out[offset + e]!, updates.data[t * slice + e]!);
  });
  return [{ dtype: data.dtype, shape: [...data.shape], data: out }];
});

defineKernel(ScatterElements, (inputs, attrs, node) => {
  const data = required(inputs, 0, node);
  const indices = required(inputs, 1, node);
  const updates = required(inputs, 2, node);
  const reduction = scatterReduction(node, attrs.reduction);
  const axis = normalizeAxis(node, attrs.axis, data.shape.length);
  if (indices.shape.length !== data.shape.length || indices.shape.join() !== updates.shape.join()) {
    throw opError(node, `indices [${indices.shape.join(', ')}] and updates [${updates.shape.join(', ')}] must match, with the rank of data`);
  }
  const offsetOf = elementOffsets(node, data.shape, axis);
  const out = data.data.slice();
  forEachCoord(indices.shape, (coord, flat) => {
    const offset = offsetOf(coord, indices.data[flat]!);
    out[offset] = reduceScatter(reduction, out[offset]!, updates.data[flat]!);
  });
  return [{ dtype: data.dtype, shape: [...data.shape], data: out }];
});
