// Which ops the Triton backend lowers, and how: into generated elementwise code, index
// arithmetic (movement), generated row kernels (last-axis reductions, softmax), a generated
// batched matmul, or a library kernel of the runtime.
import { ONNX_DOMAIN, SOLDER_DOMAIN, type Node } from '../../ir/graph.js';
import { MOVEMENT_OPS } from './movement.js';

export const UNARY_OPS = new Set([
  'Neg', 'Abs', 'Exp', 'Log', 'Sqrt', 'Reciprocal', 'Sigmoid', 'Tanh', 'Relu', 'Erf', 'Sin', 'Cos',
  'Floor', 'Ceil', 'IsNaN', 'IsInf', 'Not', 'Cast', 'Gelu', 'Softplus', 'Clip', 'Trilu', 'Sign',
]);
export const BINARY_OPS = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or', 'Xor', 'CastLike',
]);
export const VARIADIC_OPS = new Set(['Max', 'Min', 'Sum', 'Mean']);
export const REDUCE_OPS = new Set(['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin']);
export const ROW_OPS = new Set([...REDUCE_OPS, 'Softmax', 'LogSoftmax']);
export const FUSED_LIBRARY_OPS = new Set(['Attention', 'LayerNorm', 'RMSNorm', 'SkipLayerNorm', 'SkipRMSNorm', 'Linear', 'GatedMLP']);

export type Category = 'elementwise' | 'movement' | 'row' | 'matmul' | 'library' | 'collective';

/** How a node is lowered, or undefined when the backend cannot run it. */
export function categoryOf(node: Node, isConstant: (value: string) => boolean, rankOf: (value: string) => number): Category | undefined {
  if (node.domain === SOLDER_DOMAIN) {
    if (FUSED_LIBRARY_OPS.has(node.op)) return 'library';
    if (node.op === 'Gelu' || node.op === 'RotaryEmbedding') return 'elementwise';
    if (node.op === 'AllReduce') return 'collective';
    return undefined;
  }
  if (node.domain !== ONNX_DOMAIN && node.domain !== 'ai.onnx') return undefined;
  if (node.op === 'Where' || UNARY_OPS.has(node.op) || BINARY_OPS.has(node.op) || VARIADIC_OPS.has(node.op)) return 'elementwise';
  if (MOVEMENT_OPS.has(node.op)) return 'movement';
  if (ROW_OPS.has(node.op)) return 'row';
  if (node.op === 'Gemm' || node.op === 'LayerNormalization' || node.op === 'Conv') return 'library';
  if (node.op === 'MatMul') {
    const b = node.inputs[1] ?? '';
    return isConstant(b) && rankOf(b) === 2 && rankOf(node.inputs[0] ?? '') >= 2 ? 'library' : 'matmul';
  }
  return undefined;
}

/** Indices of a node's inputs that carry tensor data (the rest are plan-time shape arguments). */
export function dataInputs(node: Node, category: Category): number[] {
  const present = (i: number) => (node.inputs[i] ?? '') !== '';
  if (category === 'movement') {
    switch (node.op) {
      case 'Concat': return node.inputs.map((_, i) => i);
      case 'Gather': case 'GatherND': return [0, 1];
      case 'Range': case 'ConstantOfShape': return [];
      default: return [0];
    }
  }
  if (category === 'row') return [0];
  if (node.op === 'Trilu') return [0];
  if (node.op === 'Clip') return [0, 1, 2].filter(present);
  return node.inputs.map((_, i) => i).filter(present);
}
