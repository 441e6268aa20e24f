// Synthetic transformer-like graphs of any size, for scale benchmarks: pre-LN blocks of
// LayerNormalization, eager attention (MatMul, scale, mask, Softmax), MatMul+bias and erf GELU.
import { GraphBuilder } from '../ir/builder.js';
import type { Graph } from '../ir/graph.js';
import { makeTensor } from '../ir/tensor.js';

const HIDDEN = 16;
const NODES_PER_BLOCK = 27;

function weights(n: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) => (((i * 7 + seed * 13) % 17) - 8) / 40);
}

/** About `targetNodes` nodes of stacked single-head attention + GELU MLP blocks. */
export function syntheticTransformer(targetNodes: number): Graph {
  const b = new GraphBuilder(`synthetic-${targetNodes}`);
  let x = b.input('x', 'float32', ['batch', 'seq', HIDDEN]);
  const mask = b.input('mask', 'float32', ['batch', 1, 'seq', 'seq']);
  const w = (name: string, seed: number) => b.initializer(name, makeTensor('float32', [HIDDEN, HIDDEN], weights(HIDDEN * HIDDEN, seed)));
  const v = (name: string, values: number[], shape: number[] = [values.length]) => b.initializer(name, makeTensor('float32', shape, values));
  const gamma = v('gamma', weights(HIDDEN, 1).map((t) => 1 + t));
  const beta = v('beta', weights(HIDDEN, 2));
  const bias = v('bias', weights(HIDDEN, 3));
  const scale = v('scale', [1 / Math.sqrt(HIDDEN)], []);
  const half = v('half', [0.5], []);
  const one = v('one', [1], []);
  const sqrt2 = v('sqrt2', [Math.SQRT2], []);
  const unsqueezeAxes = b.initializer('axes1', makeTensor('int64', [1], [1]));
  for (let i = 0; (i + 1) * NODES_PER_BLOCK <= targetNodes; i++) {
    const p = `layers.${i}.`;
    const n = (op: string, inputs: string[], attrs: Record<string, number | number[]> = {}, name = op) =>
      b.node(op, inputs, attrs, { name: `${p}${name}` })[0] as string;
    const h = n('LayerNormalization', [x, gamma, beta], { axis: -1, epsilon: 1e-5 }, 'ln1');
    const q = n('Add', [n('MatMul', [h, w(`${p}wq`, 4 * i)], {}, 'q_mm'), bias], {}, 'q');
    const k = n('Add', [n('MatMul', [h, w(`${p}wk`, 4 * i + 1)], {}, 'k_mm'), bias], {}, 'k');
    const vv = n('Add', [n('MatMul', [h, w(`${p}wv`, 4 * i + 2)], {}, 'v_mm'), bias], {}, 'v');
    const [q4, k4, v4] = [q, k, vv].map((t, j) => n('Unsqueeze', [t, unsqueezeAxes], {}, `heads${j}`));
    const kT = n('Transpose', [k4 as string], { perm: [0, 1, 3, 2] }, 'kT');
    const probs = n('Softmax', [n('Add', [n('Mul', [n('MatMul', [q4 as string, kT], {}, 'qk'), scale], {}, 'scaled'), mask], {}, 'masked')], { axis: -1 }, 'softmax');
    const ctx = n('Squeeze', [n('MatMul', [probs, v4 as string], {}, 'pv'), unsqueezeAxes], {}, 'merge_heads');
    const res = n('Add', [x, ctx], {}, 'res1');
    const h2 = n('LayerNormalization', [res, gamma, beta], { axis: -1, epsilon: 1e-5 }, 'ln2');
    const up = n('Add', [n('MatMul', [h2, w(`${p}wup`, 4 * i + 3)], {}, 'up_mm'), bias], {}, 'up');
    const gelu = n('Mul', [n('Mul', [up, half], {}, 'gelu_half'), n('Add', [n('Erf', [n('Div', [up, sqrt2], {}, 'gelu_div')], {}, 'gelu_erf'), one], {}, 'gelu_add')], {}, 'gelu');
    x = n('Add', [res, gelu], {}, 'res2');
  }
  b.output(x);
  return b.build();
}
