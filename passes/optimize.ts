// optimize: canonicalize, fuse with the rule library (plus the caller's rules), clean up,
// and report what happened.
import type { Graph } from '../ir/graph.js';
import { SOLDER_DOMAIN } from '../ir/graph.js';
import { applyRules } from '../patterns/driver.js';
import { BUILTIN_RULES } from '../patterns/library.js';
import type { Rule } from '../patterns/rule.js';
import { ruleCounts, type RewriteTrace } from '../patterns/trace.js';
import { canonicalize, cleanup } from './pipeline.js';
import { verify, verifyEnabled } from '../ir/verify.js';

/** The canonical fused ops, each counted in the report even when zero. */
export const FUSED_OPS = [
  'Attention', 'LayerNorm', 'RMSNorm', 'SkipLayerNorm', 'SkipRMSNorm',
  'Gelu', 'Linear', 'RotaryEmbedding', 'GatedMLP',
] as const;

export type FusedOp = (typeof FUSED_OPS)[number];

export interface OptimizeOptions {
  /** Extra rules, tried after the built-in ones at each node. */
  readonly rules?: readonly Rule[];
  /** Leave the built-in library out (to test a rule on its own). */
  readonly builtins?: boolean;
  /** Called between stages, for progress display. */
  readonly onStage?: (stage: 'canonicalize' | 'fuse' | 'cleanup') => void;
}

export interface OptimizeReport {
  readonly fused: Record<FusedOp, number>;
  readonly rules: Record<string, number>;
  readonly nodes_before: number;
  readonly nodes_after: number;
  readonly leftover_ops: Record<string, number>;
  readonly seconds: number;
}

export interface OptimizeResult {
  readonly graph: Graph;
  readonly report: OptimizeReport;
  readonly trace: RewriteTrace;
}

/** Rewrites a loaded graph into canonical fused ops; the input graph is unchanged. */
export function optimize(graph: Graph, options: OptimizeOptions = {}): OptimizeResult {
  const started = performance.now();
  const rules = [...(options.builtins === false ? [] : BUILTIN_RULES), ...(options.rules ?? [])];
  options.onStage?.('canonicalize');
  const canonical = canonicalize(graph);
  options.onStage?.('fuse');
  const fused = applyRules(canonical, rules);
  if (verifyEnabled()) verifyStage('fuse', fused.graph);
  options.onStage?.('cleanup');
  const out = cleanup(fused.graph);
  const report: OptimizeReport = {
    fused: countFused(out),
    rules: Object.fromEntries(ruleCounts(fused.trace)),
    nodes_before: graph.nodes.length,
    nodes_after: out.nodes.length,
    leftover_ops: leftoverOps(out),
    seconds: (performance.now() - started) / 1000,
  };
  return { graph: out, report, trace: fused.trace };
}

function countFused(graph: Graph): Record<FusedOp, number> {
  const counts = Object.fromEntries(FUSED_OPS.map((op) => [op, 0])) as Record<FusedOp, number>;
  for (const n of graph.nodes) {
    if (n.domain === SOLDER_DOMAIN && (FUSED_OPS as readonly string[]).includes(n.op)) counts[n.op as FusedOp]++;
  }
  return counts;
}

function leftoverOps(graph: Graph): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of graph.nodes) {
    if (n.domain === SOLDER_DOMAIN) continue;
    const key = n.domain === '' ? n.op : `${n.domain}::${n.op}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]));
}

function verifyStage(stage: string, graph: Graph): void {
  try {
    verify(graph);
  } catch (e) {
    throw new Error(`stage '${stage}' produced an invalid graph: ${(e as Error).message}`);
  }
}
