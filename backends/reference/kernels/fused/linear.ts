// Reference kernels: solder::Gelu, Linear, GatedMLP (semantics documented in ir/ops/fused/linear.ts).
import type { Node } from '../../../../ir/graph.js';
import { GATE_ACTIVATIONS, GELU_APPROXIMATIONS, Gelu, GatedMLP, LINEAR_ACTIVATIONS, Linear } from '../../../../ir/ops/fused/linear.js';
import { oneOf } from '../../../../ir/ops/fused/checks.js';
import { opError } from '../../../../ir/ops/shape-util.js';
import { type Tensor, allocData } from '../../../../ir/tensor.js';
import { defineKernel } from '../../kernel.js';
import { gelu, geluTanh } from '../scalar-math.js';
import { activationFn } from './math.js';
import { expandTo, requiredInput } from './read.js';

defineKernel(Gelu, (inputs, attrs, node) => {
  const x = requiredInput(inputs, 0, node, 'x');
  const fn = oneOf(node, 'approximate', attrs.approximate, GELU_APPROXIMATIONS) === 'tanh' ? geluTanh : gelu;
  const data = allocData(x.dtype, x.data.length);
  for (let i = 0; i < data.length; i++) data[i] = fn(x.data[i]!);
  return [{ dtype: x.dtype, shape: [...x.shape], data }];
});

/** x [..., K] times w [K, N] in float64, as rows × N. */
function project(node: Node, x: Tensor, w: Tensor, what: string): { values: Float64Array; shape: number[] } {
  if (x.shape.length === 0 || w.shape.length !== 2) {
    throw opError(node, `need x of rank >= 1 and a 2-D ${what}, found [${x.shape.join(', ')}] and [${w.shape.join(', ')}]`);
  }
  const k = x.shape[x.shape.length - 1]!;
  const [wk, n] = [w.shape[0]!, w.shape[1]!];
  if (k !== wk) throw opError(node, `x has K=${k}, ${what} [${w.shape.join(', ')}] has K=${wk}`);
  const rows = k === 0 ? x.data.length : x.data.length / k;
  const values = new Float64Array(rows * n);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < n; c++) {
      let acc = 0;
      for (let i = 0; i < k; i++) acc += x.data[r * k + i]! * w.data[i * n + c]!;
      values[r * n + c] = acc;
    }
  }
  return { values, shape: [...x.shape.slice(0, -1), n] };
}

defineKernel(Linear, (inputs, attrs, node) => {
  const x = requiredInput(inputs, 0, node, 'x');
  const act = activationFn(oneOf(node, 'activation', attrs.activation, LINEAR_ACTIVATIONS));
  const { values, shape } = project(node, x, requiredInput(inputs, 1, node, 'weight'), 'weight');
  const n = shape[shape.length - 1]!;
  const bias = inputs[2] === undefined ? undefined : expandTo(node, 'bias', inputs[2], [n]);
  const residual = inputs[3] === undefined ? undefined : expandTo(node, 'residual', inputs[3], shape);
  const data = allocData(x.dtype, values.length);
  for (let i = 0; i < values.length; i++) {
    data[i] = act(values[i]! + (bias?.[i % n] ?? 0)) + (residual?.[i] ?? 0);
  }
  return [{ dtype: x.dtype, shape, data }];
});

defineKernel(GatedMLP, (inputs, attrs, node) => {
  const x = requiredInput(inputs, 0, node, 'x');
  const act = activationFn(oneOf(node, 'activation', attrs.activation, GATE_ACTIVATIONS));
  const gate = project(node, x, requiredInput(inputs, 1, node, 'w_gate'), 'w_gate');
  const up = project(node, x, requiredInput(inputs, 2, node, 'w_up'), 'w_up');
  if (gate.values.length !== up.values.length) throw opError(node, 'w_gate and w_up have different hidden sizes');
  const data = allocData(x.dtype, gate.values.length);
  for (let i = 0; i < data.length; i++) data[i] = act(gate.values[i]!) * up.values[i]!;
  return [{ dtype: x.dtype, shape: gate.shape, data }];
});
