// Reference kernels: solder::LayerNorm, RMSNorm, SkipLayerNorm, SkipRMSNorm
// (semantics documented in ir/ops/fused/norm.ts).
import type { DType } from '../../../../ir/dtype.js';
import type { Node } from '../../../../ir/graph.js';
import { LayerNorm, RMSNorm, SkipLayerNorm, SkipRMSNorm } from '../../../../ir/ops/fused/norm.js';
import { normalizeAxis, opError } from '../../../../ir/ops/shape-util.js';
import { type Tensor, allocData } from '../../../../ir/tensor.js';
import type { Inputs } from '../../kernel.js';
import { defineKernel } from '../../kernel.js';
import { roundTo } from './math.js';
import { expandTo, requiredInput, sizeOf } from './read.js';

type NormKind = { kind: 'layer' } | { kind: 'rms'; offset: number };

interface NormArgs {
  readonly x: Float64Array;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly axis: number;
  readonly epsilon: number;
  readonly weight: Tensor;
  readonly bias: Tensor | undefined;
}

/** Normalizes each row of the trailing dims from axis on; returns the output tensor. */
function normalize(node: Node, args: NormArgs, norm: NormKind): Tensor {
  const { x, shape, dtype, epsilon } = args;
  if (shape.length === 0) throw opError(node, 'cannot normalize a scalar');
  const axis = normalizeAxis(node, args.axis, shape.length);
  const innerShape = shape.slice(axis);
  const inner = sizeOf(innerShape);
  const rows = inner === 0 ? 0 : x.length / inner;
  const weight = expandTo(node, 'weight', args.weight, innerShape);
  const bias = args.bias === undefined ? undefined : expandTo(node, 'bias', args.bias, innerShape);
  const out = allocData(dtype, x.length);
  for (let r = 0; r < rows; r++) {
    const base = r * inner;
    let mean = 0;
    if (norm.kind === 'layer') {
      for (let j = 0; j < inner; j++) mean += x[base + j]!;
      mean /= inner;
    }
    // LayerNorm: population variance around the mean; RMSNorm: mean square around 0.
    let meanSquare = 0;
    for (let j = 0; j < inner; j++) meanSquare += (x[base + j]! - mean) ** 2;
    meanSquare /= inner;
    const invStd = 1 / Math.sqrt(meanSquare + epsilon);
    for (let j = 0; j < inner; j++) {
      const normalized = (x[base + j]! - mean) * invStd;
      out[base + j] = norm.kind === 'layer'
        ? normalized * weight[j]! + (bias?.[j] ?? 0)
        : normalized * (norm.offset + weight[j]!);
    }
  }
  return { dtype, shape: [...shape], data: out };
}

/** x + skip rounded to the storage dtype, the value the unfused Add would have materialized. */
function residualSum(node: Node, inputs: Inputs): { sum: Float64Array; x: Tensor } {
  const x = requiredInput(inputs, 0, node, 'x');
  const skip = expandTo(node, 'skip', requiredInput(inputs, 1, node, 'skip'), x.shape);
  const sum = new Float64Array(x.data.length);
  for (let i = 0; i < sum.length; i++) sum[i] = roundTo(x.dtype, x.data[i]! + skip[i]!);
  return { sum, x };
}

function asTensor(dtype: DType, shape: readonly number[], values: Float64Array): Tensor {
  const data = allocData(dtype, values.length);
  data.set(values);
  return { dtype, shape: [...shape], data };
}

defineKernel(LayerNorm, (inputs, attrs, node) => {
  const x = requiredInput(inputs, 0, node, 'x');
  const args = { x: Float64Array.from(x.data), shape: x.shape, dtype: x.dtype, ...attrs, weight: requiredInput(inputs, 1, node, 'weight'), bias: inputs[2] };
  return [normalize(node, args, { kind: 'layer' })];
});

defineKernel(RMSNorm, (inputs, attrs, node) => {
  const x = requiredInput(inputs, 0, node, 'x');
  const args = { x: Float64Array.from(x.data), shape: x.shape, dtype: x.dtype, ...attrs, weight: requiredInput(inputs, 1, node, 'weight'), bias: undefined };
  return [normalize(node, args, { kind: 'rms', offset: attrs.offset })];
});

defineKernel(SkipLayerNorm, (inputs, attrs, node) => {
  const { sum, x } = residualSum(node, inputs);
  const args = { x: sum, shape: x.shape, dtype: x.dtype, ...attrs, weight: requiredInput(inputs, 2, node, 'weight'), bias: inputs[3] };
  return [normalize(node, args, { kind: 'layer' }), asTensor(x.dtype, x.shape, sum)];
});

defineKernel(SkipRMSNorm, (inputs, attrs, node) => {
  const { sum, x } = residualSum(node, inputs);
  const args = { x: sum, shape: x.shape, dtype: x.dtype, ...attrs, weight: requiredInput(inputs, 2, node, 'weight'), bias: undefined };
  return [normalize(node, args, { kind: 'rms', offset: attrs.offset }), asTensor(x.dtype, x.shape, sum)];
});
