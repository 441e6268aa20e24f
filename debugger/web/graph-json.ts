// A graph as the page sees it: names, ops, types as text, attribute summaries. Weight
// bytes are never read or sent; model strings go out as JSON strings, never as markup.
import type { Graph, Node } from '../../ir/graph.js';
import { typeOf } from '../../ir/graph.js';
import { formatAttr } from '../../ir/print.js';
import { dimToString } from '../../ir/dim.js';
import type { TensorType } from '../../ir/types.js';
import type { TraceEntry } from '../../patterns/trace.js';
import { commonPrefix, groupPath } from './groups.js';
import type {
  DiffStatus, GraphJson, InitializerJson, NodeDetailJson, NodeJson, NodeNumerics, PortJson, RuleTouchJson, Side, ValueJson,
} from './page/protocol.js';

export interface SideContext {
  readonly side: Side;
  readonly graph: Graph;
  readonly status: ReadonlyMap<string, DiffStatus>;
  /** The other side's module paths, for fused nodes that carry no scope of their own. */
  readonly originGroups?: ReadonlyMap<string, readonly string[]>;
}

export function shapeText(t: TensorType | undefined): string {
  if (t === undefined || t.shape === undefined) return '?';
  return `[${t.shape.map(dimToString).join(', ')}]`;
}

/** Module paths of every node, by name. */
export function groupsByName(graph: Graph): Map<string, readonly string[]> {
  return new Map(graph.nodes.map((n) => [n.name, groupPath(n)]));
}

export function nodeJson(ctx: SideContext, node: Node): NodeJson {
  const origins = node.origins ?? [];
  // A fused node is named after its anchor (`MatMul_9/Attention`), not after a module:
  // it belongs where the nodes it replaced had in common.
  const fromOrigins = ctx.originGroups === undefined ? [] : origins.filter((o) => ctx.originGroups?.has(o));
  const group = fromOrigins.length > 0 ? commonPrefix(fromOrigins.map((o) => ctx.originGroups?.get(o) ?? [])) : groupPath(node);
  return {
    name: node.name,
    op: node.op,
    domain: node.domain,
    inputs: node.inputs,
    outputs: node.outputs,
    attrs: Object.entries(node.attrs).map(([k, v]) => `${k}=${formatAttr(v)}`),
    origins,
    group,
    status: ctx.status.get(node.name) ?? 'same',
  };
}

export function graphJson(ctx: SideContext): GraphJson {
  const { graph } = ctx;
  const values: ValueJson[] = [];
  const seen = new Set<string>();
  const addValue = (name: string): void => {
    if (name === '' || seen.has(name)) return;
    seen.add(name);
    const t = typeOf(graph, name);
    values.push({ name, dtype: t?.dtype ?? '?', shape: shapeText(t) });
  };
  for (const v of graph.inputs) addValue(v.name);
  for (const n of graph.nodes) n.outputs.forEach(addValue);
  for (const v of graph.outputs) addValue(v.name);
  const initializers: InitializerJson[] = [...graph.initializers.values()].map((i) => ({
    name: i.name, dtype: i.dtype, shape: `[${i.shape.join(', ')}]`, bytes: i.bytes.byteLength,
  }));
  return {
    side: ctx.side,
    name: graph.name,
    inputs: graph.inputs.map((v) => v.name),
    outputs: graph.outputs.map((v) => v.name),
    nodes: graph.nodes.map((n) => nodeJson(ctx, n)),
    values,
    initializers,
  };
}

/** One node with its ports typed, its metadata, and the rules that touched it. */
export function nodeDetail(
  ctx: SideContext, node: Node, trace: readonly TraceEntry[], numerics: NodeNumerics | undefined,
): NodeDetailJson {
  const { graph } = ctx;
  const producers = new Map<string, string>();
  const readers = new Map<string, string[]>();
  for (const n of graph.nodes) {
    for (const o of n.outputs) producers.set(o, n.name);
    for (const i of n.inputs) readers.set(i, [...(readers.get(i) ?? []), n.name]);
  }
  const graphInputs = new Set(graph.inputs.map((v) => v.name));
  const graphOutputs = new Set(graph.outputs.map((v) => v.name));
  const typed = (name: string): PortJson => {
    const t = typeOf(graph, name);
    return { name, ...(t === undefined ? {} : { dtype: t.dtype, shape: shapeText(t) }) };
  };
  const input = (name: string): PortJson => {
    if (name === '') return { name: '' };
    const from = graph.initializers.has(name) ? 'initializer' : graphInputs.has(name) ? 'input' : producers.get(name);
    return { ...typed(name), ...(from === undefined ? {} : { from }) };
  };
  const output = (name: string): PortJson => {
    if (name === '') return { name: '' };
    return { ...typed(name), to: readers.get(name) ?? [], ...(graphOutputs.has(name) ? { graphOutput: true } : {}) };
  };
  return {
    side: ctx.side,
    node: nodeJson(ctx, node),
    inputs: node.inputs.map(input),
    outputs: node.outputs.map(output),
    ...(node.docString === undefined ? {} : { docString: node.docString }),
    metadata: Object.entries(node.metadata ?? {}),
    rules: rulesTouching(node.name, trace),
    ...(numerics === undefined ? {} : { numerics }),
  };
}

function rulesTouching(name: string, trace: readonly TraceEntry[]): RuleTouchJson[] {
  const out: RuleTouchJson[] = [];
  for (const t of trace) {
    const role = t.anchor === name ? 'anchor' : t.added.includes(name) ? 'added'
      : t.removed.includes(name) ? 'removed' : t.kept.includes(name) ? 'kept' : undefined;
    if (role !== undefined) out.push({ rule: t.rule, anchor: t.anchor, role });
  }
  return out;
}
