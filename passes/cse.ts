// Common subexpression elimination: nodes with the same op, attributes and inputs compute
// the same values; later copies are dropped and their uses renamed. Small initializers with
// equal contents are merged first, so that two copies of one constant count as equal inputs.
import type { AttrValue } from '../ir/attrs.js';
import type { Graph, Node } from '../ir/graph.js';
import { numel } from '../ir/tensor.js';
import { Renames, outputNames } from './edit.js';

const SMALL_INITIALIZER = 256;

export function eliminateCommonSubexpressions(graph: Graph): Graph {
  const renames = new Renames();
  const protectedNames = outputNames(graph);
  mergeEqualInitializers(graph, renames, protectedNames);
  const seen = new Map<string, Node>();
  const kept: Node[] = [];
  for (const node of graph.nodes) {
    const key = nodeKey(node, renames);
    const first = key === undefined ? undefined : seen.get(key);
    if (first === undefined || node.outputs.some((o) => protectedNames.has(o))) {
      if (key !== undefined && first === undefined) seen.set(key, node);
      kept.push(node);
      continue;
    }
    node.outputs.forEach((o, i) => renames.add(o, first.outputs[i] as string));
  }
  if (renames.size === 0) return graph;
  const initializers = new Map([...graph.initializers].filter(([name]) => renames.resolve(name) === name));
  return renames.apply({ ...graph, initializers }, kept);
}

function mergeEqualInitializers(graph: Graph, renames: Renames, protectedNames: ReadonlySet<string>): void {
  const byContent = new Map<string, string>();
  for (const [name, init] of graph.initializers) {
    if (numel(init.shape) > SMALL_INITIALIZER || protectedNames.has(name)) continue;
    const bytes = init.bytes.read();
    const key = `${init.dtype}[${init.shape.join(',')}]${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')}`;
    const first = byContent.get(key);
    if (first === undefined) byContent.set(key, name);
    else renames.add(name, first);
  }
}

// Ops with side effects or randomness never merge; unknown-domain ops are treated the same.
const NEVER_MERGE = new Set(['RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Multinomial', 'Bernoulli']);

function nodeKey(node: Node, renames: Renames): string | undefined {
  if (NEVER_MERGE.has(node.op) || Object.values(node.attrs).some((a) => a.kind === 'graph')) return undefined;
  const inputs = node.inputs.map((i) => (i === '' ? '' : renames.resolve(i))).join('\u0000');
  const attrs = Object.keys(node.attrs).sort().map((k) => `${k}=${attrKey(node.attrs[k] as AttrValue)}`).join(';');
  return `${node.domain}::${node.op}(${inputs})[${attrs}]#${node.outputs.length}`;
}

function attrKey(a: AttrValue): string {
  switch (a.kind) {
    case 'tensor': return `T${a.value.dtype}[${a.value.shape.join(',')}]${Array.from(a.value.data).join(',')}`;
    default: return `${a.kind}:${JSON.stringify(a.value)}`;
  }
}
