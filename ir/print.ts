// A readable listing of a graph, one line per node, in the spirit of torch.fx's
// print_readable: what goes in, what each node computes from what, what comes out.
// Weight values are never printed (nor read): only their types and sizes.
import type { AttrValue } from './attrs.js';
import { type Graph, type Node, ONNX_DOMAIN, typeOf } from './graph.js';
import { type Tensor, numel } from './tensor.js';
import { typeToString } from './types.js';

export interface PrintOptions {
  /** List every initializer (default), or only their count and size. */
  readonly initializers?: 'list' | 'summary';
}

/** The graph as text: header with inputs, initializers, one line per node, outputs. */
export function printGraph(graph: Graph, options: PrintOptions = {}): string {
  const lines: string[] = [];
  const inputs = graph.inputs.map((v) => `%${v.name}: ${typeToString(v.type)}`);
  lines.push(`graph ${graph.name || 'main'}(${inputs.join(', ')}) {`);
  lines.push(...initializerLines(graph, options.initializers ?? 'list'));
  for (const node of graph.nodes) lines.push(`  ${nodeLine(graph, node)}`);
  const outputs = graph.outputs.map((v) => `%${v.name}: ${typeToString(typeOf(graph, v.name) ?? v.type)}`);
  lines.push(`  return ${outputs.join(', ')}`);
  lines.push('}');
  return lines.join('\n');
}

function initializerLines(graph: Graph, mode: 'list' | 'summary'): string[] {
  if (graph.initializers.size === 0) return [];
  let elements = 0;
  let bytes = 0;
  for (const init of graph.initializers.values()) {
    elements += numel(init.shape);
    bytes += init.bytes.byteLength;
  }
  const count = graph.initializers.size;
  const summary = `  # ${count} initializer${count === 1 ? '' : 's'}, ${elements.toLocaleString('en-US')} elements, ${formatBytes(bytes)}`;
  if (mode === 'summary') return [summary];
  const list = [...graph.initializers.values()].map((init) => `  const %${init.name}: ${init.dtype}[${init.shape.join(', ')}]`);
  return [summary, ...list];
}

/** `%y: float32[b, 64] = Op[attr=1](%x, %w)  # node_name`. */
export function nodeLine(graph: Graph, node: Node): string {
  const outs = node.outputs.map((name) => {
    if (name === '') return '_';
    const t = typeOf(graph, name);
    return t === undefined ? `%${name}` : `%${name}: ${typeToString(t)}`;
  });
  const op = node.domain === ONNX_DOMAIN || node.domain === 'ai.onnx' ? node.op : `${node.domain}::${node.op}`;
  const attrs = Object.entries(node.attrs).map(([k, v]) => `${k}=${formatAttr(v)}`);
  const call = `${op}${attrs.length > 0 ? `[${attrs.join(', ')}]` : ''}(${node.inputs.map((n) => (n === '' ? '_' : `%${n}`)).join(', ')})`;
  const origins = node.origins !== undefined && node.origins.length > 0 ? ` (from ${abbreviate(node.origins, 4)})` : '';
  return `${outs.join(', ')} = ${call}  # ${node.name}${origins}`;
}

const MAX_LIST = 8;

/** Compact attribute text: numbers as written, long lists cut, tensors as dtype[shape] (and values when tiny). */
export function formatAttr(a: AttrValue): string {
  switch (a.kind) {
    case 'int': return String(a.value);
    case 'float': return formatNumber(a.value);
    case 'string': return JSON.stringify(a.value);
    case 'ints': return `[${abbreviate(a.value.map(String), MAX_LIST)}]`;
    case 'floats': return `[${abbreviate(a.value.map(formatNumber), MAX_LIST)}]`;
    case 'strings': return `[${abbreviate(a.value.map((s) => JSON.stringify(s)), MAX_LIST)}]`;
    case 'tensor': return formatTensor(a.value);
    case 'graph': return `<graph ${a.value.name || 'body'}: ${a.value.nodes.length} nodes>`;
  }
}

function formatTensor(t: Tensor): string {
  const type = `${t.dtype}[${t.shape.join(', ')}]`;
  if (t.data.length > MAX_LIST) return type;
  const values = Array.from(t.data, (v) => formatNumber(v));
  return `${type}{${values.join(', ')}}`;
}

function formatNumber(v: number): string {
  if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

function abbreviate(items: readonly string[], keep: number): string {
  if (items.length <= keep) return items.join(', ');
  return `${items.slice(0, keep - 1).join(', ')}, ... ${items.length - keep + 1} more`;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

