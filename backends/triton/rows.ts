// Nodes lowered to generated row and matmul kernels: last-axis reductions and softmax (one
// program per row, the producer chain fused into the row load), and MatMul of two
// activations (tiles of both operands computed by their fused producers).
import { dimProduct } from '../../ir/dim.js';
import { isFloat } from '../../ir/dtype.js';
import type { Node } from '../../ir/graph.js';
import { normalizeAxis, opError } from '../../ir/ops/shape-util.js';
import { type RowMode, matmulKernel, rowKernel } from './codegen.js';
import type { Lowering } from './lower.js';
import { provenance } from './sanitize.js';
import { reduceAxes } from './shapes.js';

const MAX_ROW = 65536;

export function lowerRow(L: Lowering, node: Node): void {
  const x = node.inputs[0]!;
  const shape = L.shape(x);
  let inner: number;
  let mode: RowMode;
  if (node.op === 'Softmax' || node.op === 'LogSoftmax') {
    const opset = L.graph.meta.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 13;
    const axis = normalizeAxis(node, node.attrs.axis?.kind === 'int' ? node.attrs.axis.value : opset < 13 ? 1 : -1, shape.length);
    if (opset >= 13 && axis !== shape.length - 1) throw opError(node, 'softmax over an axis other than the last is not supported by the Triton backend');
    inner = shape.length - axis;
    mode = node.op === 'Softmax' ? 'softmax' : 'logsoftmax';
  } else {
    const axes = reduceAxes(node, shape.length, L.facts.values);
    inner = axes.length;
    if (!axes.every((a, i) => a === shape.length - inner + i)) throw opError(node, 'only reductions over trailing axes are supported by the Triton backend');
    mode = ({ ReduceSum: 'sum', ReduceMean: 'mean', ReduceMax: 'max', ReduceMin: 'min' } as Record<string, RowMode>)[node.op]!;
    if (mode === 'mean' && !isFloat(L.dtype(x))) throw opError(node, 'ReduceMean over integers is not supported by the Triton backend');
  }
  const maxRow = L.symbols.evaluate(dimProduct(shape.slice(shape.length - inner)), L.symbols.maxEnv);
  if (maxRow > MAX_ROW) throw opError(node, `rows of ${maxRow} elements exceed the ${MAX_ROW} a generated row kernel holds`);
  const out = L.dest(node.outputs[0]!);
  if (!isFloat(L.dtype(x)) && (mode === 'softmax' || mode === 'logsoftmax')) throw opError(node, 'softmax of integers');
  L.push(rowKernel(L.body(), provenance(node.name), x, shape, inner, mode, out, maxRow, isFloat(L.dtype(x))));
  L.setStored(node.outputs[0]!, out);
}

export function lowerMatmul(L: Lowering, node: Node): void {
  const [a, b] = [node.inputs[0]!, node.inputs[1]!];
  if (L.shape(a).length < 2 || L.shape(b).length < 2) throw opError(node, 'MatMul of a vector is not supported by the Triton backend');
  const out = L.dest(node.outputs[0]!);
  L.push(matmulKernel(L.body(), provenance(node.name), a, b, out, L.planDtype));
  L.setStored(node.outputs[0]!, out);
}
