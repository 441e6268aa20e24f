// The rewrite driver: sweeps the graph in topological order, tries the rules indexed
// under each node's op, applies the first that matches, and repeats until a sweep changes
// nothing. Indexes are built once and updated per rewrite, so a sweep is linear in the
// graph plus the (local) work of the matches tried.
import type { Graph } from '../ir/graph.js';
import { opKey } from '../ir/graph.js';
import { attemptRule, commit } from './apply.js';
import type { Rule } from './rule.js';
import type { RewriteTrace, TraceEntry } from './trace.js';
import { WorkingGraph } from './working-graph.js';

export interface ApplyOptions {
  /** Sweeps before giving up on a fixed point (default 32); the trace says whether it converged. */
  readonly maxIterations?: number;
}

export interface ApplyResult {
  readonly graph: Graph;
  readonly trace: RewriteTrace;
}

/** Rules by the op key of their root, in the order given (earlier rules win at a node). */
export function indexRules(rules: readonly Rule[]): Map<string, Rule[]> {
  const index = new Map<string, Rule[]>();
  const names = new Set<string>();
  for (const r of rules) {
    if (names.has(r.name)) throw new Error(`two rules are named ${r.name}`);
    names.add(r.name);
    for (const root of r.root) {
      const key = opKey(r.domain, root);
      index.set(key, [...(index.get(key) ?? []), r]);
    }
  }
  return index;
}

/** Rewrites the graph with the rules to a fixed point; the input graph is left unchanged. */
export function applyRules(graph: Graph, rules: readonly Rule[], options: ApplyOptions = {}): ApplyResult {
  const maxIterations = options.maxIterations ?? 32;
  const index = indexRules(rules);
  const g = new WorkingGraph(graph);
  const applications: TraceEntry[] = [];
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    const changed = sweep(g, index, iterations, applications);
    iterations++;
    g.compact();
    if (!changed) {
      converged = true;
      break;
    }
  }
  return { graph: g.toGraph(), trace: { applications, iterations, converged } };
}

/** One pass over the nodes present at its start; nodes added during it are tried next sweep. */
function sweep(g: WorkingGraph, index: ReadonlyMap<string, readonly Rule[]>, iteration: number, out: TraceEntry[]): boolean {
  let changed = false;
  for (const id of g.snapshot()) {
    const node = g.nodeById(id);
    if (node === undefined) continue;
    for (const rule of index.get(opKey(node.domain, node.op)) ?? []) {
      const attempt = attemptRule(g, rule, node);
      if (!attempt.ok) continue;
      out.push(commit(g, attempt.plan, iteration));
      changed = true;
      break;
    }
  }
  return changed;
}
