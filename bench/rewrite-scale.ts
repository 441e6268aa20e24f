// How the rewrite driver scales: synthetic transformer-like graphs of about 1k, 5k and 20k
// nodes (blocks of MatMul+bias, erf GELU, eager attention, residual Add), rewritten with the
// example rules. Prints a table; run with `npx tsx bench/rewrite-scale.ts [sizes...]`.
// Not a test: timings depend on the machine, so nothing here asserts them.
import { GraphBuilder } from '../ir/builder.js';
import type { Graph } from '../ir/graph.js';
import { makeTensor } from '../ir/tensor.js';
import { applyRules } from '../patterns/driver.js';
import { eagerAttention as sdpaEager } from '../patterns/attention/eager.js';
import { geluErf } from '../patterns/activation/gelu.js';
import { linearGelu } from '../patterns/linear/epilogue.js';
import { matmulAdd as matmulBias } from '../patterns/linear/matmul.js';
import { addGelu } from '../test/pattern-graphs.js';

const HEAD_DIM = 16;

/** One block is 17 nodes: Linear (2) + GELU (5) + attention (6) + residual Add + 3 unrelated ops. */
function syntheticGraph(targetNodes: number): Graph {
  const b = new GraphBuilder(`synthetic-${targetNodes}`);
  let x = b.input('x', 'float32', ['batch', 4, 'seq', HEAD_DIM]);
  const mask = b.input('mask', 'float32', ['batch', 1, 1, 'seq']);
  const w = b.initializer('w', makeTensor('float32', [HEAD_DIM, HEAD_DIM], Array.from({ length: HEAD_DIM * HEAD_DIM }, (_, i) => ((i % 7) - 3) / 10)));
  const bias = b.initializer('bias', makeTensor('float32', [HEAD_DIM], Array.from({ length: HEAD_DIM }, (_, i) => i / 100)));
  const scale = b.initializer('scale', makeTensor('float32', [], [1 / Math.sqrt(HEAD_DIM)]));
  for (let i = 0; (i + 1) * 17 <= targetNodes; i++) {
    const p = `l${i}_`;
    const [mm] = b.node('MatMul', [x, w], {}, { name: `${p}fc` });
    const [biased] = b.node('Add', [mm!, bias], {}, { name: `${p}fc_bias` });
    const h = addGelu(b, biased!, { outerSwap: i % 2 === 0, innerSwap: i % 3 === 0, addSwap: true }, `${p}gelu_`);
    const [kT] = b.node('Transpose', [h], { perm: [0, 1, 3, 2] }, { name: `${p}kt` });
    const [scores] = b.node('MatMul', [h, kT!], {}, { name: `${p}qk` });
    const [scaled] = b.node('Mul', [scale, scores!], {}, { name: `${p}scale` });
    const [masked] = b.node('Add', [scaled!, mask], {}, { name: `${p}mask` });
    const [probs] = b.node('Softmax', [masked!], { axis: -1 }, { name: `${p}softmax` });
    const [ctx] = b.node('MatMul', [probs!, h], {}, { name: `${p}pv` });
    const [res] = b.node('Add', [ctx!, x], {}, { name: `${p}residual` });
    const [a] = b.node('Relu', [res!], {}, { name: `${p}relu` });
    const [n] = b.node('Neg', [a!], {}, { name: `${p}neg` });
    const [y] = b.node('Sub', [res!, n!], {}, { name: `${p}sub` });
    x = y!;
  }
  b.output(x);
  return b.build();
}

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const rules = [geluErf, matmulBias, linearGelu, sdpaEager];
console.log('nodes   build ms  rewrite ms  ms/1k nodes  applications  sweeps  nodes after');
for (const size of sizes.length > 0 ? sizes : [1000, 5000, 20000]) {
  const t0 = performance.now();
  const graph = syntheticGraph(size);
  const t1 = performance.now();
  const { graph: out, trace } = applyRules(graph, rules);
  const t2 = performance.now();
  const row = [
    String(graph.nodes.length).padStart(5),
    (t1 - t0).toFixed(0).padStart(9),
    (t2 - t1).toFixed(0).padStart(11),
    (((t2 - t1) / graph.nodes.length) * 1000).toFixed(1).padStart(12),
    String(trace.applications.length).padStart(13),
    String(trace.iterations).padStart(7),
    String(out.nodes.length).padStart(12),
  ];
  console.log(row.join(' '));
}
