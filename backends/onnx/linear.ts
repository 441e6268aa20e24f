// Lowerings of Gelu, Linear and GatedMLP into standard ops. ONNX has Gelu (opset 20, erf or
// tanh) and no fused matmul epilogue that covers bias + activation + residual, so Linear is
// MatMul, Add, the activation and Add: ONNX Runtime's own graph optimizer fuses those again
// (MatMul+Add -> Gemm/FusedMatMul, Add+Gelu -> BiasGelu) when it loads the model.
import { oneOf } from '../../ir/ops/fused/checks.js';
import { GATE_ACTIVATIONS, GELU_APPROXIMATIONS, type LinearActivation, LINEAR_ACTIVATIONS, GatedMLP, Gelu, Linear } from '../../ir/ops/fused/linear.js';
import { readAttrs } from '../../ir/ops/spec.js';
import { type LoweringContext, inputName, requiredName } from './context.js';
import type { Emitter } from './emit.js';

const GELU_OPSET = 20;

export function lowerGelu(ctx: LoweringContext): string {
  const approximate = oneOf(ctx.node, 'approximate', readAttrs(Gelu, ctx.node).approximate, GELU_APPROXIMATIONS);
  ctx.emit.node('Gelu', [requiredName(ctx.node, 0)], { approximate }, { outputs: [ctx.node.outputs[0]!], opset: GELU_OPSET });
  return approximate === 'none' ? 'Gelu' : `Gelu(approximate=${approximate})`;
}

export function lowerLinear(ctx: LoweringContext): string {
  const activation = oneOf(ctx.node, 'activation', readAttrs(Linear, ctx.node).activation, LINEAR_ACTIVATIONS);
  const [x, weight] = [requiredName(ctx.node, 0), requiredName(ctx.node, 1)];
  const [bias, residual] = [inputName(ctx.node, 2), inputName(ctx.node, 3)];
  // Each step maps the running value to the next; the last one writes the fused node's output.
  const steps: Step[] = [(v, out) => ctx.emit.one('MatMul', [v, weight], {}, out)];
  if (bias !== undefined) steps.push((v, out) => ctx.emit.one('Add', [v, bias], {}, out));
  if (activation !== 'none') steps.push((v, out) => activate(ctx.emit, activation, v, out));
  if (residual !== undefined) steps.push((v, out) => ctx.emit.one('Add', [v, residual], {}, out));
  chain(steps, x, ctx.node.outputs[0]!);
  return ['MatMul', bias && 'Add', ...(activation === 'none' ? [] : [ACTIVATION_OPS[activation]]), residual && 'Add'].filter(Boolean).join(' + ');
}

export function lowerGatedMLP(ctx: LoweringContext): string {
  const activation = oneOf(ctx.node, 'activation', readAttrs(GatedMLP, ctx.node).activation, GATE_ACTIVATIONS);
  const [x, wGate, wUp] = [requiredName(ctx.node, 0), requiredName(ctx.node, 1), requiredName(ctx.node, 2)];
  const gate = activate(ctx.emit, activation, ctx.emit.one('MatMul', [x, wGate]), {});
  const up = ctx.emit.one('MatMul', [x, wUp]);
  ctx.emit.node('Mul', [gate, up], {}, { outputs: [ctx.node.outputs[0]!] });
  return `MatMul x2 + ${ACTIVATION_OPS[activation]} + Mul`;
}

type Out = { outputs?: readonly string[] };
type Step = (value: string, out: Out) => string;

function chain(steps: readonly Step[], input: string, output: string): void {
  let value = input;
  steps.forEach((step, i) => {
    value = step(value, i === steps.length - 1 ? { outputs: [output] } : {});
  });
}

const ACTIVATION_OPS: Record<Exclude<LinearActivation, 'none'>, string> = {
  relu: 'Relu',
  gelu: 'Gelu',
  gelu_tanh: 'Gelu(approximate=tanh)',
  silu: 'Mul(x, Sigmoid(x))',
  tanh: 'Tanh',
  sigmoid: 'Sigmoid',
};

function activate(emit: Emitter, activation: Exclude<LinearActivation, 'none'>, v: string, out: Out): string {
  switch (activation) {
    case 'relu': return emit.one('Relu', [v], {}, out);
    case 'gelu': return emit.one('Gelu', [v], {}, { ...out, opset: GELU_OPSET });
    case 'gelu_tanh': return emit.one('Gelu', [v], { approximate: 'tanh' }, { ...out, opset: GELU_OPSET });
    // silu(v) = v * sigmoid(v): ONNX (to opset 23) has no Swish/SiLU op.
    case 'silu': return emit.one('Mul', [v, emit.one('Sigmoid', [v])], {}, out);
    case 'tanh': return emit.one('Tanh', [v], {}, out);
    case 'sigmoid': return emit.one('Sigmoid', [v], {}, out);
  }
}
