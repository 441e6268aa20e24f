// The node-level view of a graph that matching works on: nodes by index, each input's
// producer (or what it is when no node produces it), and each output's consumers.
import type { AttrValue } from '../../ir/attrs.js';
import { type Graph, type Node, opKey } from '../../ir/graph.js';
import { findOp } from '../../ir/ops/spec.js';
import { formatAttr } from '../../ir/print.js';

/** Where a node input comes from: a node's output, or a token for graph inputs, weights and absent inputs. */
export type Source = { readonly node: number; readonly output: number } | { readonly token: string };

export interface Use {
  readonly node: number;
  readonly slot: number;
}

export interface NodeIndex {
  readonly graph: Graph;
  readonly nodes: readonly Node[];
  readonly byName: ReadonlyMap<string, number>;
  /** `MatMul`, `solder::Attention`. */
  readonly ops: readonly string[];
  /** sources[i][slot]: what feeds input `slot` of node i. */
  readonly sources: readonly (readonly Source[])[];
  /** uses[i][output]: the nodes reading output `output` of node i, and in which slot. */
  readonly uses: readonly (readonly (readonly Use[])[])[];
}

export function indexNodes(graph: Graph): NodeIndex {
  const producer = new Map<string, { node: number; output: number }>();
  graph.nodes.forEach((n, i) => n.outputs.forEach((v, output) => {
    if (v !== '' && !producer.has(v)) producer.set(v, { node: i, output });
  }));
  const inputs = new Set(graph.inputs.map((v) => v.name));
  const uses: Use[][][] = graph.nodes.map((n) => n.outputs.map(() => []));
  const sources = graph.nodes.map((n, i) => n.inputs.map((v, slot): Source => {
    const p = producer.get(v);
    if (p !== undefined) {
      uses[p.node]![p.output]!.push({ node: i, slot });
      return p;
    }
    return { token: tokenOf(graph, v, inputs) };
  }));
  return {
    graph,
    nodes: graph.nodes,
    byName: new Map(graph.nodes.map((n, i) => [n.name, i])),
    ops: graph.nodes.map((n) => opKey(n.domain, n.op)),
    sources,
    uses,
  };
}

/** Graph inputs by name (exports keep input names); weights by dtype and shape (their names differ). */
function tokenOf(graph: Graph, value: string, inputs: ReadonlySet<string>): string {
  if (value === '') return 'absent';
  const init = graph.initializers.get(value);
  if (init !== undefined) return `w:${init.dtype}[${init.shape.join(',')}]`;
  return inputs.has(value) ? `in:${value}` : 'outer';
}

/** How two matched nodes differ ('op Add -> Sub', 'allowzero 1 -> 0'), or undefined when they do not. */
export function nodeDifference(x: Node, y: Node): string | undefined {
  const ox = opKey(x.domain, x.op);
  const oy = opKey(y.domain, y.op);
  if (ox !== oy) return `op ${ox} -> ${oy}`;
  const [ax, ay] = [withDefaults(x), withDefaults(y)];
  const keys = [...new Set([...Object.keys(ax), ...Object.keys(ay)])].sort();
  const show = (a: AttrValue | undefined) => (a === undefined ? '(absent)' : formatAttr(a));
  const diffs = keys.filter((k) => !sameAttr(ax[k], ay[k])).map((k) => `${k} ${show(ax[k])} -> ${show(ay[k])}`);
  return diffs.length === 0 ? undefined : diffs.join(', ');
}

/** The node's attributes with the op spec's defaults filled in, so that absent and default compare equal. */
function withDefaults(node: Node): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = { ...node.attrs };
  const spec = findOp(node.domain, node.op);
  for (const [key, s] of Object.entries(spec?.attrs ?? {})) {
    if (out[key] === undefined && s.default !== undefined) out[key] = { kind: s.kind, value: s.default } as AttrValue;
  }
  return out;
}

function sameAttr(x: AttrValue | undefined, y: AttrValue | undefined): boolean {
  return x === undefined || y === undefined ? x === y : attrEqual(x, y);
}

function attrEqual(x: AttrValue, y: AttrValue): boolean {
  if (x.kind !== y.kind) return false;
  switch (x.kind) {
    case 'tensor': {
      const t = y.value as typeof x.value;
      return x.value.dtype === t.dtype && sameList(x.value.shape, t.shape) && sameList(x.value.data, t.data);
    }
    case 'graph': return x.value === y.value;
    case 'ints': case 'strings': return sameList(x.value, y.value as readonly unknown[]);
    case 'floats': return x.value.length === (y.value as readonly number[]).length && x.value.every((v, i) => sameFloat(v, (y.value as readonly number[])[i]!));
    case 'float': return sameFloat(x.value, y.value as number);
    default: return Object.is(x.value, y.value);
  }
}

function sameList(x: ArrayLike<unknown>, y: ArrayLike<unknown>): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  return true;
}

// Float attributes are float32 in ONNX files and float64 in torch.export archives: 1e-12 is
// stored as 9.99999996e-13 by one and exactly by the other.
function sameFloat(x: number, y: number): boolean {
  return Object.is(x, y) || Math.abs(x - y) <= 1e-6 * Math.max(Math.abs(x), Math.abs(y));
}
