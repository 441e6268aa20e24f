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

// The driver only needs to know whether a rule matched; explain shows why one did not.
const BRIEF = { failure: 'brief' } as const;

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
  const pending = new PendingNodes();
  const applications: TraceEntry[] = [];
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    const changed = sweep(g, index, pending, iterations, applications);
    iterations++;
    g.compact();
    if (!changed) {
      converged = true;
      break;
    }
  }
  return { graph: g.toGraph(), trace: { applications, iterations, converged } };
}

/**
 * One pass over the nodes present at its start; nodes added during it are tried next sweep.
 * A node whose rules all failed is tried again only once a value its attempt read has
 * changed: rules see the graph only through the GraphView and nodes are immutable, so the
 * same reads give the same failure. Each sweep thus does what a full sweep would, and the
 * fixed point is the same, but later sweeps cost only the nodes near the last rewrites.
 */
function sweep(g: WorkingGraph, index: ReadonlyMap<string, readonly Rule[]>, pending: PendingNodes, iteration: number, out: TraceEntry[]): boolean {
  let changed = false;
  for (const id of g.snapshot()) {
    const node = g.nodeById(id);
    if (node === undefined || !pending.take(id)) continue;
    const rules = index.get(opKey(node.domain, node.op));
    if (rules === undefined) continue;
    let entry: TraceEntry | undefined;
    const reads = g.recordReads(() => {
      for (const rule of rules) {
        const attempt = attemptRule(g, rule, node, BRIEF);
        if (!attempt.ok) continue;
        entry = commit(g, attempt.plan, iteration);
        break;
      }
    });
    if (entry === undefined) {
      pending.waitFor(id, reads);
      continue;
    }
    out.push(entry);
    changed = true;
    pending.changed(g.takeChanges());
    // A matched root that stays in the graph is tried again, as a full sweep would.
    if (g.isLive(node)) pending.retry(id);
  }
  return changed;
}

/** Which nodes to try: those never tried, and those whose last failed attempt read a value that changed since. */
class PendingNodes {
  private readonly settled = new Set<number>();
  private readonly waiting = new Map<string, number[]>();

  /** Whether the node needs trying; it counts as tried from now on. */
  take(id: number): boolean {
    if (this.settled.has(id)) return false;
    this.settled.add(id);
    return true;
  }

  /** The node failed after reading these values. */
  waitFor(id: number, reads: ReadonlySet<string>): void {
    for (const v of reads) {
      const ids = this.waiting.get(v);
      if (ids === undefined) this.waiting.set(v, [id]);
      else ids.push(id);
    }
  }

  changed(values: readonly string[]): void {
    for (const v of values) {
      const ids = this.waiting.get(v);
      if (ids === undefined) continue;
      for (const id of ids) this.settled.delete(id);
      this.waiting.delete(v);
    }
  }

  retry(id: number): void {
    this.settled.delete(id);
  }
}
