// The ONNX backend: lowers solder's fused ops to what ONNX Runtime executes (standard ONNX
// ops where ORT's CPU provider runs them, com.microsoft contrib ops where ONNX has none,
// standard decompositions otherwise), so that an optimized graph exports as a model ORT
// runs. A fused node nothing fits stays in the solder domain and is counted in `kept`.
import { type Graph, type Initializer, type Node, ONNX_DOMAIN, type OpsetImport, SOLDER_DOMAIN } from '../../ir/graph.js';
import { lowerAttention } from './attention.js';
import type { Lowering } from './context.js';
import { Emitter, MS_DOMAIN } from './emit.js';
import { lowerGatedMLP, lowerGelu, lowerLinear } from './linear.js';
import { lowerLayerNorm, lowerRMSNorm, lowerSkipLayerNorm, lowerSkipRMSNorm } from './norm.js';
import { irVersionFor, upgradeNodes } from './opset.js';
import { lowerRotaryEmbedding } from './rotary.js';

const LOWERINGS: Readonly<Record<string, Lowering>> = {
  Attention: lowerAttention,
  LayerNorm: lowerLayerNorm,
  RMSNorm: lowerRMSNorm,
  SkipLayerNorm: lowerSkipLayerNorm,
  SkipRMSNorm: lowerSkipRMSNorm,
  Gelu: lowerGelu,
  Linear: lowerLinear,
  GatedMLP: lowerGatedMLP,
  RotaryEmbedding: lowerRotaryEmbedding,
};

export interface OnnxLowering {
  readonly graph: Graph;
  /** Solder ops left as they were (no ONNX Runtime form fits), with their counts. */
  readonly kept: Record<string, number>;
  /** For each lowered solder op, what its nodes became, with counts. */
  readonly lowered: Record<string, Record<string, number>>;
}

/** Replaces each solder-domain node by ops ONNX Runtime runs; fixes the opset imports to match. */
export function lowerForOnnxRuntime(graph: Graph): OnnxLowering {
  const taken = valueNames(graph);
  const isTaken = (name: string) => taken.has(name);
  const kept: Record<string, number> = {};
  const lowered: Record<string, Record<string, number>> = {};
  const nodes: Node[] = [];
  const initializers: Initializer[] = [];
  let needed = 0;
  for (const node of graph.nodes) {
    const lowering = node.domain === SOLDER_DOMAIN ? LOWERINGS[node.op] : undefined;
    if (lowering === undefined) {
      if (node.domain === SOLDER_DOMAIN) kept[node.op] = (kept[node.op] ?? 0) + 1;
      nodes.push(node);
      continue;
    }
    const emit = new Emitter(node, isTaken);
    const became = lowering({ graph, node, emit });
    if (became === undefined) {
      kept[node.op] = (kept[node.op] ?? 0) + 1;
      nodes.push(node);
      continue;
    }
    const forms = (lowered[node.op] ??= {});
    forms[became] = (forms[became] ?? 0) + 1;
    nodes.push(...emit.nodes);
    initializers.push(...emit.initializers);
    for (const n of emit.nodes) for (const o of n.outputs) taken.add(o);
    for (const i of emit.initializers) taken.add(i.name);
    needed = Math.max(needed, emit.opset);
  }
  const current = onnxOpset(graph);
  const target = Math.max(current, needed);
  const upgraded = target > current ? upgradeNodes(nodes, current, target, isTaken) : { nodes, initializers: [] };
  const allInits = new Map(graph.initializers);
  for (const init of [...initializers, ...upgraded.initializers]) allInits.set(init.name, init);
  const out: Graph = {
    ...graph,
    nodes: upgraded.nodes,
    initializers: allInits,
    meta: {
      ...graph.meta,
      irVersion: Math.max(graph.meta.irVersion, irVersionFor(target)),
      opsets: opsetsFor(graph.meta.opsets, upgraded.nodes, target),
    },
  };
  return { graph: out, kept, lowered };
}

const DEFAULT_OPSET = 18;

function isOnnx(domain: string): boolean {
  return domain === ONNX_DOMAIN || domain === 'ai.onnx';
}

/** The graph's ai.onnx opset (a graph built by solder declares 18 on export). */
function onnxOpset(graph: Graph): number {
  return graph.meta.opsets.find((o) => isOnnx(o.domain))?.version ?? DEFAULT_OPSET;
}

/** ai.onnx at `target`, com.microsoft when used, solder only while solder nodes remain. */
function opsetsFor(opsets: readonly OpsetImport[], nodes: readonly Node[], target: number): OpsetImport[] {
  const used = new Set(nodes.map((n) => n.domain));
  const out: OpsetImport[] = [{ domain: ONNX_DOMAIN, version: target }];
  for (const o of opsets) {
    if (isOnnx(o.domain) || (o.domain === SOLDER_DOMAIN && !used.has(SOLDER_DOMAIN))) continue;
    out.push(o);
  }
  if (used.has(MS_DOMAIN) && !out.some((o) => o.domain === MS_DOMAIN)) out.push({ domain: MS_DOMAIN, version: 1 });
  return out;
}

function valueNames(graph: Graph): Set<string> {
  const names = new Set<string>([...graph.initializers.keys(), ...graph.inputs.map((v) => v.name)]);
  for (const n of graph.nodes) for (const o of n.outputs) names.add(o);
  return names;
}
