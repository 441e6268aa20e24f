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
  const seen = new Map<string, Node[]>();
  const attrs = new AttrKeys();
  const kept: Node[] = [];
  for (const node of graph.nodes) {
    const key = nodeKey(node, renames);
    const earlier = key === undefined ? undefined : seen.get(key);
    const first = earlier?.find((e) => attrs.of(e) === attrs.of(node));
    if (first === undefined || node.outputs.some((o) => protectedNames.has(o))) {
      if (key !== undefined && first === undefined) {
        if (earlier === undefined) seen.set(key, [node]);
        else earlier.push(node);
      }
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

/** What two nodes must share, besides equal attributes, to compute the same values. */
function nodeKey(node: Node, renames: Renames): string | undefined {
  if (NEVER_MERGE.has(node.op)) return undefined;
  for (const k in node.attrs) if (node.attrs[k]!.kind === 'graph') return undefined;
  const inputs = node.inputs.map((i) => (i === '' ? '' : renames.resolve(i))).join('\u0000');
  return `${node.domain}::${node.op}(${inputs})#${node.outputs.length}`;
}

/**
 * Nodes' attributes as comparable text, made only for nodes whose op and inputs another
 * node shares: few do, and the text (tensors and lists written out) cost more than the rest of the pass.
 */
class AttrKeys {
  private readonly keys = new Map<Node, string>();

  of(node: Node): string {
    let key = this.keys.get(node);
    if (key === undefined) {
      key = Object.keys(node.attrs).sort().map((k) => `${k}=${attrKey(node.attrs[k] as AttrValue)}`).join(';');
      this.keys.set(node, key);
    }
    return key;
  }
}

function attrKey(a: AttrValue): string {
  switch (a.kind) {
    case 'tensor': return `T${a.value.dtype}[${a.value.shape.join(',')}]${Array.from(a.value.data).join(',')}`;
    default: return `${a.kind}:${JSON.stringify(a.value)}`;
  }
}
