// Graphs for the debugger's tests and benchmark: a large synthetic model, a model whose
// strings are hostile markup, and a lightly "optimized" copy of a real model.
import { stringAttr } from '../ir/attrs.js';
import { GraphBuilder } from '../ir/builder.js';
import type { Graph, Node } from '../ir/graph.js';
import { sym } from '../ir/dim.js';
import type { TensorType } from '../ir/types.js';

/** A model of `blocks` x `subs` x `perSub` nodes named `/blocks.B/sub.S/Op_K`, chained with skip edges. */
export function syntheticGraph(blocks = 40, subs = 5, perSub = 100): Graph {
  const ops = ['MatMul', 'Add', 'Mul', 'Relu', 'Softmax', 'Sigmoid', 'Sub', 'Tanh'];
  const type: TensorType = { dtype: 'float32', shape: [sym('batch'), 64] };
  const nodes: Node[] = [];
  const valueInfo = new Map<string, TensorType>();
  let prev = 'x';
  let k = 0;
  for (let b = 0; b < blocks; b++) {
    for (let s = 0; s < subs; s++) {
      for (let i = 0; i < perSub; i++, k++) {
        const op = ops[k % ops.length] as string;
        const name = `/blocks.${b}/sub.${s}/${op}_${k}`;
        const out = `v${k}`;
        const skip = k >= 3 && k % 5 === 0 ? [`v${k - 3}`] : [];
        const unary = op === 'Relu' || op === 'Softmax' || op === 'Sigmoid' || op === 'Tanh';
        nodes.push({ name, op, domain: '', inputs: unary ? [prev] : [prev, ...(skip.length > 0 ? skip : [prev])], outputs: [out], attrs: {} });
        valueInfo.set(out, type);
        prev = out;
      }
    }
  }
  return {
    name: 'synthetic',
    inputs: [{ name: 'x', type }],
    outputs: [{ name: prev, type }],
    nodes,
    initializers: new Map(),
    valueInfo,
    meta: { irVersion: 8, opsets: [{ domain: '', version: 18 }], metadata: {}, source: 'built' },
  };
}

export const HOSTILE = {
  script: '<script>alert(1)</script>',
  img: '"><img src=x onerror=alert(2)>',
  path: '../../etc/passwd',
  groupPath: '/<b>module</b>/"><img src=x onerror=alert(5)>/Relu',
  op: '<svg onload=alert(6)>',
  attr: '<img src=x onerror=alert(3)>',
} as const;

/** A small model whose node names, module path, op type, attributes and metadata are markup. */
export function hostileGraph(): Graph {
  const b = new GraphBuilder('<i>hostile</i>');
  const x = b.input('x', 'float32', [2, 3]);
  const [a] = b.node('Relu', [x], {}, { name: HOSTILE.script, outputs: ['<a1>'] });
  const [c] = b.node('Relu', [a as string], {}, { name: HOSTILE.img, outputs: ['"><a2>'] });
  const [d] = b.node('Relu', [c as string], {}, { name: HOSTILE.path, outputs: ['../a3'] });
  const [e] = b.node('Relu', [d as string], {}, { name: HOSTILE.groupPath, outputs: ['a4'] });
  b.output(e as string);
  const g = b.build();
  const marked = g.nodes.map((n, i): Node => ({
    ...n,
    attrs: { ...n.attrs, note: stringAttr(HOSTILE.attr) },
    docString: `<script>alert(${10 + i})</script>`,
    metadata: { '<script>alert(7)</script>': HOSTILE.img },
  }));
  const odd: Node = { name: 'odd op', op: HOSTILE.op, domain: '<evil>', inputs: [e as string], outputs: ['odd_out'], attrs: {} };
  return { ...g, nodes: [...marked, odd] };
}

/**
 * A copy of `graph` edited the way an optimizer would: the first chain of three nodes
 * (each output read only by the next) becomes one fused node with origins, one node is
 * renamed (removed + added on the diff), the rest is kept.
 */
export function editedCopy(graph: Graph): { graph: Graph; fused: string; origins: string[]; renamed: [string, string] } {
  const readers = new Map<string, number>();
  for (const n of graph.nodes) for (const v of n.inputs) readers.set(v, (readers.get(v) ?? 0) + 1);
  const producer = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  const onlyFeeds = (a: Node, b: Node): boolean => a.outputs.length === 1 && readers.get(a.outputs[0] as string) === 1 && b.inputs.includes(a.outputs[0] as string);
  let chain: Node[] | undefined;
  for (const c of graph.nodes) {
    const b = c.inputs.map((v) => producer.get(v)).find((p) => p !== undefined && onlyFeeds(p, c));
    const a = b?.inputs.map((v) => producer.get(v)).find((p) => p !== undefined && onlyFeeds(p, b));
    if (a !== undefined && b !== undefined) {
      chain = [a, b, c];
      break;
    }
  }
  if (chain === undefined) throw new Error('editedCopy: no chain of three nodes to fuse');
  const [a, b, c] = chain as [Node, Node, Node];
  const inside = new Set([...a.outputs, ...b.outputs]);
  const inputs = [...a.inputs, ...b.inputs, ...c.inputs].filter((v) => !inside.has(v));
  const fusedName = `${c.name}/FusedChain`;
  const fused: Node = { name: fusedName, op: 'FusedChain', domain: 'solder', inputs, outputs: c.outputs, attrs: {}, origins: [a.name, b.name, c.name] };
  const gone = new Set([a.name, b.name]);
  const renameFrom = graph.nodes.find((n) => !gone.has(n.name) && n !== c && n.op !== 'Constant');
  if (renameFrom === undefined) throw new Error('editedCopy: nothing to rename');
  const renameTo = `${renameFrom.name}_renamed`;
  const nodes = graph.nodes.filter((n) => !gone.has(n.name)).map((n) => (n === c ? fused : n === renameFrom ? { ...n, name: renameTo } : n));
  return { graph: { ...graph, nodes }, fused: fusedName, origins: [a.name, b.name, c.name], renamed: [renameFrom.name, renameTo] };
}
