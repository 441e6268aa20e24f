// Lowers the FX nodes of a serialized graph, in order, through the lowering table; inlines
// the subgraphs of higher-order ops that only wrap code (grad mode, disabled autocast).
import { SolderError } from '../../errors.js';
import { AtenNode } from './aten-node.js';
import type { GraphBuilder } from './builder.js';
import { findLowering } from './ops/all.js';
import type { Argument, SerializedGraph, SerializedNode } from './schema.js';
import { Scope } from './scope.js';

/** Lowers every node of the graph into the builder; FX names resolve through the scope. */
export function lowerNodes(b: GraphBuilder, scope: Scope, graph: SerializedGraph): void {
  for (const node of graph.nodes) lowerNode(b, scope, node);
}

/** 'torch.ops.aten.linear.default' -> 'aten.linear.default'. */
export function targetOf(node: SerializedNode): string {
  return node.target.startsWith('torch.ops.') ? node.target.slice('torch.ops.'.length) : node.target;
}

function lowerNode(b: GraphBuilder, scope: Scope, node: SerializedNode): void {
  const target = targetOf(node);
  const name = node.name ?? firstOutputName(node) ?? target;
  const n = new AtenNode(b, scope, node, name, target);
  try {
    if (target.startsWith('higher_order.')) {
      inlineSubgraph(n);
      return;
    }
    const lower = findLowering(target);
    if (lower === undefined) throw n.fail(`unsupported op ${target}: solder has no ONNX mapping for it (see README, "Supported ops")`);
    lower(n);
    if (isInPlace(target)) rebindMutated(n);
  } catch (e) {
    if (e instanceof SolderError && e.place.node === undefined) throw n.fail(e.message);
    throw e;
  }
  for (const fx of n.fxOutputs) {
    if (fx !== undefined && scope.lookup(fx) === undefined) throw new Error(`pt2 import: ${target} left output '${fx}' unbound`);
  }
}

function firstOutputName(node: SerializedNode): string | undefined {
  const o = node.outputs[0];
  return o?.as_tensor?.name ?? o?.as_tensors?.[0]?.name;
}

// add_, unsqueeze_, ...: later uses of the mutated input see the result. Dunder ops
// (__and__) end in an underscore too but are not in-place.
function isInPlace(target: string): boolean {
  const op = target.split('.')[1] ?? '';
  return op.endsWith('_') && !op.endsWith('__');
}

function rebindMutated(n: AtenNode): void {
  const self = n.arg('self')?.as_tensor?.name;
  const out = n.fxOutputs[0];
  if (self === undefined || out === undefined) return;
  n.scope.bind(self, n.value(out));
}

const WRAPPERS = new Set([
  'higher_order.wrap_with_set_grad_enabled',
  'higher_order.wrap_with_autocast',
  'higher_order.wrap',
  'higher_order.invoke_subgraph',
]);

/** The subgraph's nodes join the graph, its inputs bound to the operands that follow it. */
function inlineSubgraph(n: AtenNode): void {
  if (!WRAPPERS.has(n.target)) throw n.fail(`unsupported higher-order op ${n.target} (control flow cannot be imported)`);
  // wrap_with_autocast(device_type, dtype, enabled, cache_enabled, graph, *args): an enabled
  // region changes dtypes that the subgraph does not spell out as casts.
  if (n.target === 'higher_order.wrap_with_autocast' && n.argAt(2)?.as_bool === true) {
    throw n.fail('autocast regions are not supported; export with autocast disabled');
  }
  const args = n.node.inputs.map((i) => i.arg);
  const at = args.findIndex((a) => a.as_graph !== undefined);
  const sub = args[at]?.as_graph?.graph;
  if (sub === undefined) throw n.fail('has no subgraph');
  const operands = args.slice(at + 1).filter(isValueArg).map((a) => n.value(valueName(a)));
  if (operands.length !== sub.inputs.length) {
    throw n.fail(`passes ${operands.length} operands to a subgraph of ${sub.inputs.length} inputs`);
  }
  const inner = new Scope(sub);
  sub.inputs.forEach((input, i) => {
    if (!isValueArg(input)) throw n.fail('has a subgraph input that is not a tensor or size');
    inner.bind(valueName(input), operands[i] as string);
  });
  for (const node of sub.nodes) lowerNode(n.b, inner, node);
  const results = sub.outputs.flatMap((o) => (o.as_tensors !== undefined ? o.as_tensors.map((t) => t.name) : [valueName(o)]));
  n.fxOutputs.forEach((fx, i) => {
    const result = results[i];
    if (fx === undefined) return;
    const value = result === undefined ? undefined : inner.lookup(result);
    if (value === undefined) throw n.fail(`output ${i} has no matching subgraph output`);
    n.scope.bind(fx, value);
  });
}

function isValueArg(a: Argument): boolean {
  return a.as_tensor !== undefined || (a.as_sym_int !== undefined && 'as_name' in a.as_sym_int);
}

function valueName(a: Argument): string {
  if (a.as_tensor !== undefined) return a.as_tensor.name;
  if (a.as_sym_int !== undefined && 'as_name' in a.as_sym_int) return a.as_sym_int.as_name;
  throw new Error('pt2 import: not a value argument');
}
