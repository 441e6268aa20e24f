// Raising a graph's ai.onnx opset, so that newer ops (Attention, RMSNormalization at 23) can
// sit next to the ops it already has. Between opsets 13 and 23 nearly every change is an
// extension that keeps old nodes valid; the exceptions are rewritten here:
// - opset 18 moved the axes of the reductions other than ReduceSum from an attribute to an
//   input;
// - Split-18 wants `num_outputs` when no `split` input says the sizes (equal parts either way);
// and the few whose meaning changed (RoiAlign 16, DFT and GridSample 20, GroupNormalization
// 21) are refused with an error naming the node, rather than left to compute something else.
import { intAttr } from '../../ir/attrs.js';
import { SolderError } from '../../ir/errors.js';
import { type Initializer, type Node, ONNX_DOMAIN, initializerFromTensor } from '../../ir/graph.js';
import { makeTensor } from '../../ir/tensor.js';

const AXES_TO_INPUT_AT_18 = new Set([
  'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceMax', 'ReduceMean', 'ReduceMin', 'ReduceProd', 'ReduceSumSquare',
]);

const CHANGED_MEANING: Readonly<Record<string, number>> = { RoiAlign: 16, DFT: 20, GridSample: 20, GroupNormalization: 21 };

/** The IR version each opset first came with (onnx.helper.VERSION_TABLE). */
export function irVersionFor(opset: number): number {
  if (opset >= 23) return 11;
  if (opset >= 21) return 10;
  if (opset >= 19) return 9;
  return 8;
}

export interface Upgraded {
  readonly nodes: Node[];
  readonly initializers: Initializer[];
}

/** The nodes rewritten from opset `from` to `to`, and the constants the rewrite adds. */
export function upgradeNodes(nodes: readonly Node[], from: number, to: number, taken: (name: string) => boolean): Upgraded {
  const initializers: Initializer[] = [];
  const fresh = (base: string) => {
    let name = base;
    for (let k = 1; taken(name) || initializers.some((i) => i.name === name); k++) name = `${base}_${k}`;
    return name;
  };
  const out = nodes.map((node): Node => {
    if (node.domain !== ONNX_DOMAIN && node.domain !== 'ai.onnx') return node;
    const changedAt = CHANGED_MEANING[node.op];
    if (changedAt !== undefined && from < changedAt && to >= changedAt) {
      throw new SolderError(`${node.op} changed meaning at opset ${changedAt}; cannot raise the model from opset ${from} to ${to}`, { node: node.name, op: node.op });
    }
    if (from >= 18 || to < 18) return node;
    const axes = node.attrs.axes;
    if (AXES_TO_INPUT_AT_18.has(node.op) && axes?.kind === 'ints') {
      const { axes: _moved, ...attrs } = node.attrs;
      const name = fresh(`${node.name}/axes`);
      initializers.push(initializerFromTensor(name, makeTensor('int64', [axes.value.length], axes.value)));
      return { ...node, inputs: [node.inputs[0] ?? '', name], attrs };
    }
    if (node.op === 'Split' && (node.inputs[1] ?? '') === '' && node.attrs.num_outputs === undefined) {
      return { ...node, attrs: { ...node.attrs, num_outputs: intAttr(node.outputs.length) } };
    }
    return node;
  });
  return { nodes: out, initializers };
}
