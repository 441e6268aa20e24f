// Plans the MLP blocks: the first projection(s) column-parallel, the down projection
// row-parallel, as Megatron-LM's ParallelMLP does:
//   Linear[act](x, W1) [-> unary activation]* -> Linear(h, W2)      (BERT, GPT-2, T5, ViT)
//   GatedMLP(x, Wg, Wu)                        -> Linear(h, W2)      (LLaMA's SwiGLU)
// Each rank keeps one contiguous block of the hidden units; the elementwise activation
// and gate act per unit, so they need no communication.
import type { Node } from '../../ir/graph.js';
import { planRow } from './attention-block.js';
import { GraphView, type ShardPlan, cannotShard, isSolder, range } from './plan.js';

// Single-input ops that act on each hidden unit alone, so they may sit between the projections.
const UNIT_WISE = new Set(['Relu', 'Tanh', 'Sigmoid', 'Gelu', 'Erf', 'Identity', 'Elu', 'Selu', 'Celu', 'LeakyRelu', 'Softplus', 'HardSigmoid', 'HardSwish', 'Mish']);

/** Adds every MLP block not claimed by an attention block to the plan. */
export function planMlps(view: GraphView, ranks: number, plan: ShardPlan): void {
  for (const down of view.graph.nodes) {
    if (!isSolder(down, 'Linear') || plan.has(down.name)) continue;
    const up = upProjection(view, down, plan);
    if (up === undefined) continue;
    const hidden = view.dims(up.outputs[0] as string)?.at(-1);
    if (hidden === undefined || hidden % ranks !== 0) {
      throw cannotShard(up, `its ${hidden ?? 'symbolic'} hidden units cannot be split evenly over ${ranks} ranks`);
    }
    if ((up.inputs[3] ?? '') !== '' && isSolder(up, 'Linear')) throw cannotShard(up, 'a column-parallel Linear cannot add a residual');
    const block = (rank: number) => range((rank * hidden) / ranks, hidden / ranks);
    plan.set(up.name, { kind: 'column', pick: block });
    for (const node of between(view, up, down)) plan.set(node.name, { kind: 'follow' });
    planRow(view, down, block, plan);
  }
}

/** The Linear or GatedMLP that computes `down`'s input through unit-wise ops only, if any. */
function upProjection(view: GraphView, down: Node, plan: ShardPlan): Node | undefined {
  let value = down.inputs[0] as string;
  let reader = down;
  for (;;) {
    if (view.soleConsumer(value) !== reader) return undefined;
    const node = view.producer.get(value);
    if (node === undefined || plan.has(node.name)) return undefined;
    if (isSolder(node, 'GatedMLP') || isSolder(node, 'Linear')) return node;
    const unitWise = UNIT_WISE.has(node.op) && (node.domain === '' || node.domain === 'ai.onnx' || isSolder(node, 'Gelu'));
    if (!unitWise || node.inputs.length !== 1) return undefined;
    reader = node;
    value = node.inputs[0] as string;
  }
}

/** The unit-wise nodes from `up` to `down`, which carry the sharded hidden units. */
function between(view: GraphView, up: Node, down: Node): Node[] {
  const out: Node[] = [];
  for (let node = view.soleConsumer(up.outputs[0] as string); node !== undefined && node !== down; node = view.soleConsumer(node.outputs[0] as string)) {
    out.push(node);
  }
  return out;
}
