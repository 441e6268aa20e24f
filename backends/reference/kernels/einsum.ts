// Reference kernel: Einsum, as one loop over every label (output labels outside,
// summed labels inside) with per-operand strides; a repeated label sums its strides,
// which walks the diagonal.
import { labelEquation, parseEquation } from '../../../ir/ops/einsum-equation.js';
import { Einsum, labelSizes } from '../../../ir/ops/einsum.js';
import { opError } from '../../../ir/ops/shape-util.js';
import type { Tensor } from '../../../ir/tensor.js';
import { defineKernel } from '../kernel.js';
import { stridesOf } from '../strides.js';
import { concreteShape } from './args.js';
import { spanSize, tensorOf } from './nn-args.js';

defineKernel(Einsum, (inputs, attrs, node) => {
  const operands = inputs.map((t, i) => {
    if (t === undefined) throw opError(node, `operand ${i} is missing`);
    return t;
  });
  const eq = labelEquation(node, parseEquation(node, attrs.equation), operands.map((t) => t.shape.length))!;
  const sizes = labelSizes(node, eq, operands.map((t) => t.shape));
  const summed = [...sizes.keys()].filter((l) => !eq.output.includes(l));
  const labels = [...eq.output, ...summed];
  const extent = labels.map((l) => concreteShape(node, [sizes.get(l)!])[0]!);
  const strides = operands.map((t: Tensor, i) => {
    const own = stridesOf(t.shape);
    return labels.map((l) => eq.inputs[i]!.reduce((acc, label, d) => acc + (label === l && t.shape[d] !== 1 ? own[d]! : 0), 0));
  });
  const outCount = spanSize(extent, 0, eq.output.length);
  const innerCount = spanSize(extent, eq.output.length);
  const out = new Float64Array(outCount);
  const coord = new Array<number>(labels.length).fill(0);
  const offsets = new Array<number>(operands.length).fill(0);
  for (let o = 0; o < outCount; o++) {
    let sum = 0;
    for (let r = 0; r < innerCount; r++) {
      let prod = 1;
      for (let k = 0; k < operands.length; k++) prod *= operands[k]!.data[offsets[k]!]!;
      sum += prod;
      // Advance the odometer over all labels; the summed ones turn fastest.
      for (let d = labels.length - 1; d >= 0; d--) {
        coord[d]!++;
        for (let k = 0; k < operands.length; k++) offsets[k]! += strides[k]![d]!;
        if (coord[d]! < extent[d]!) break;
        for (let k = 0; k < operands.length; k++) offsets[k]! -= coord[d]! * strides[k]![d]!;
        coord[d] = 0;
      }
    }
    out[o] = sum;
  }
  return [tensorOf(operands[0]!.dtype, extent.slice(0, eq.output.length), out)];
});
