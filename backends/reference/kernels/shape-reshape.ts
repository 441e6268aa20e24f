// Reference kernels: Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Expand.
import { broadcastShapes } from '../../../ir/ops/shape-util.js';
import { Expand, Flatten, Reshape, Squeeze, Transpose, Unsqueeze, flattenDims, reshapeDims, squeezeDims, transposePerm, unsqueezeDims } from '../../../ir/ops/shape-reshape.js';
import { broadcastStrides, gatherByCoord, offsetOf, stridesOf, withShape } from '../strides.js';
import { defineKernel } from '../kernel.js';
import { concreteShape, required, valuesOf } from './args.js';

defineKernel(Reshape, (inputs, attrs, node) => {
  const data = required(inputs, 0, node);
  const target = valuesOf(required(inputs, 1, node));
  return [withShape(data, concreteShape(node, reshapeDims(node, data.shape, target, attrs.allowzero !== 0)))];
});

defineKernel(Flatten, (inputs, attrs, node) => {
  const data = required(inputs, 0, node);
  return [withShape(data, concreteShape(node, flattenDims(node, data.shape, attrs.axis)))];
});

defineKernel(Transpose, (inputs, attrs, node) => {
  const data = required(inputs, 0, node);
  const perm = transposePerm(node, data.shape.length, attrs.perm);
  const strides = stridesOf(data.shape);
  // Output dim i walks input dim perm[i].
  const outStrides = perm.map((p) => strides[p]!);
  return [gatherByCoord(data, perm.map((p) => data.shape[p]!), (coord) => offsetOf(coord, outStrides))];
});

defineKernel(Squeeze, (inputs, _attrs, node) => {
  const data = required(inputs, 0, node);
  const axes = inputs[1] === undefined ? undefined : valuesOf(inputs[1]);
  return [withShape(data, concreteShape(node, squeezeDims(node, data.shape, axes) ?? []))];
});

defineKernel(Unsqueeze, (inputs, _attrs, node) => {
  const data = required(inputs, 0, node);
  const axes = valuesOf(required(inputs, 1, node));
  return [withShape(data, concreteShape(node, unsqueezeDims(node, data.shape, axes)))];
});

defineKernel(Expand, (inputs, _attrs, node) => {
  const data = required(inputs, 0, node);
  const target = valuesOf(required(inputs, 1, node));
  const shape = concreteShape(node, broadcastShapes(node, [data.shape, target]) ?? []);
  const strides = broadcastStrides(data.shape, shape.length);
  return [gatherByCoord(data, shape, (coord) => offsetOf(coord, strides))];
});
