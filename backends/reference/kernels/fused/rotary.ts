// Reference kernel: solder::RotaryEmbedding (semantics documented in ir/ops/fused/rotary.ts).
import { RotaryEmbedding, rotaryTableDims, rotaryWidth } from '../../../../ir/ops/fused/rotary.js';
import { opError } from '../../../../ir/ops/shape-util.js';
import { allocData } from '../../../../ir/tensor.js';
import { defineKernel } from '../../kernel.js';
import { broadcastStridesTo, requiredInput, shape4 } from './read.js';

defineKernel(RotaryEmbedding, (inputs, attrs, node) => {
  const x = requiredInput(inputs, 0, node, 'x');
  const cos = requiredInput(inputs, 1, node, 'cos');
  const sin = requiredInput(inputs, 2, node, 'sin');
  const [batch, heads, seq, headDim] = shape4(node, 'x', x);
  const r = rotaryWidth(node, attrs.rotary_dim, headDim);
  if (typeof r !== 'number') throw opError(node, 'rotary width must be known');
  const tableStrides = (what: string, shape: readonly number[]): number[] => {
    if (shape.length < 2 || shape.length > 4) throw opError(node, `${what} must have rank 2, 3 or 4, found [${shape.join(', ')}]`);
    return broadcastStridesTo(node, what, rotaryTableDims(shape).map(Number), [batch, heads, seq, r]);
  };
  const cosStrides = tableStrides('cos', cos.shape);
  const sinStrides = tableStrides('sin', sin.shape);
  const half = r / 2;
  const out = allocData(x.dtype, x.data.length);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let s = 0; s < seq; s++) {
        const base = ((b * heads + h) * seq + s) * headDim;
        for (let d = 0; d < headDim; d++) {
          const value = x.data[base + d]!;
          if (d >= r) {
            out[base + d] = value;
            continue;
          }
          // The partner entry this one rotates with, and the sign it enters with.
          const rotated = attrs.interleaved === 1
            ? (d % 2 === 0 ? -x.data[base + d + 1]! : x.data[base + d - 1]!)
            : (d < half ? -x.data[base + d + half]! : x.data[base + d - half]!);
          const at = (strides: number[]) => b * strides[0]! + h * strides[1]! + s * strides[2]! + d * strides[3]!;
          out[base + d] = value * cos.data[at(cosStrides)]! + rotated * sin.data[at(sinStrides)]!;
        }
      }
    }
  }
  return [{ dtype: x.dtype, shape: [...x.shape], data: out }];
});
