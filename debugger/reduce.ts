// reduce: shrink a graph to a small piece that still fails a check, for a bug report.
//  1. Bisect along topological order for the shortest prefix of the nodes that still fails
//     (the prefix hands on every value later nodes read); its last node is the suspect.
//  2. Keep the suspect's cone (the suspect and what it reads, transitively) if that fails.
//  3. Delta-debug one node at a time, last node first: turn the node's computed inputs into
//     graph inputs (all at once, then one at a time), which drops whatever only fed them;
//     keep each change that still fails, until no single cut does.
// Every candidate has fewer nodes than the one it came from, and the number of checks is
// capped, so the search always ends. Candidates are whole, valid graphs (see reduce/cut.ts).
import { SolderError } from '../ir/errors.js';
import type { Graph } from '../ir/graph.js';
import { type Piece, computedInputs, cutPiece, prefixFrontier } from './reduce/cut.js';

/** Whether a candidate still fails (true = keep shrinking toward it). */
export type FailingCheck = (candidate: Graph) => boolean | Promise<boolean>;

export interface ReduceOptions {
  /** Most checks to run in all (default 400); when reached, the smallest failing piece so far is returned. */
  readonly maxChecks?: number;
  /** Called after each check, for progress display. */
  readonly onCheck?: (info: { readonly checks: number; readonly nodes: number; readonly failed: boolean; readonly stage: ReduceStage }) => void;
}

export type ReduceStage = 'whole' | 'bisect' | 'cone' | 'cut';

export interface ReduceResult {
  readonly graph: Graph;
  readonly checks: number;
  /** True when maxChecks ran out before no single cut kept the failure. */
  readonly capped: boolean;
  /** The node the bisection settled on (the end of the shortest failing prefix). */
  readonly suspect: string;
}

const DEFAULT_MAX_CHECKS = 400;

/** The smallest piece of `graph` found that still fails `failing` (async: checks may run commands). */
export async function reduceGraph(graph: Graph, failing: FailingCheck, options: ReduceOptions = {}): Promise<Graph> {
  return (await reduceGraphWithStats(graph, failing, options)).graph;
}

export async function reduceGraphWithStats(graph: Graph, failing: FailingCheck, options: ReduceOptions = {}): Promise<ReduceResult> {
  const budget = new CheckBudget(failing, options);
  const whole: Piece = { outputs: graph.outputs.map((o) => o.name), cuts: new Set() };
  if (graph.nodes.length === 0) throw new SolderError('the graph has no nodes to reduce');
  if (!(await budget.fails(cutPiece(graph, whole), 'whole'))) {
    throw new SolderError('the check passes on the whole model, so there is no failure to reduce (does the check exit nonzero on failure?)');
  }
  const last = await bisectPrefixes(graph, budget);
  const suspect = graph.nodes[last]!;
  let best: Piece = { outputs: prefixFrontier(graph, last), cuts: new Set() };
  const cone: Piece = { outputs: suspect.outputs.filter((v) => v !== ''), cuts: new Set() };
  if (!budget.exhausted && (await budget.fails(cutPiece(graph, cone), 'cone'))) best = cone;
  best = await cutInputs(graph, best, budget);
  return { graph: cutPiece(graph, best), checks: budget.checks, capped: budget.exhausted, suspect: suspect.name };
}

/** Index of the last node of the shortest failing prefix (the whole graph fails; assume the empty prefix does not). */
async function bisectPrefixes(graph: Graph, budget: CheckBudget): Promise<number> {
  let passes = -1;
  let fails = graph.nodes.length - 1;
  while (fails - passes > 1 && !budget.exhausted) {
    const mid = (passes + fails) >> 1;
    const outputs = prefixFrontier(graph, mid);
    const failed = outputs.length > 0 && (await budget.fails(cutPiece(graph, { outputs, cuts: new Set() }), 'bisect'));
    if (failed) fails = mid;
    else passes = mid;
  }
  return fails;
}

/** Greedy cuts, last node first, until a full sweep finds no cut that keeps the failure. */
async function cutInputs(graph: Graph, start: Piece, budget: CheckBudget): Promise<Piece> {
  let best = start;
  let current = cutPiece(graph, best);
  for (let changed = true; changed && !budget.exhausted;) {
    changed = false;
    for (const node of [...current.nodes].reverse()) {
      const inputs = computedInputs(current, node);
      if (inputs.length === 0) continue;
      const tries = inputs.length === 1 ? [inputs] : [inputs, ...inputs.map((v) => [v])];
      for (const cut of tries) {
        if (budget.exhausted) return best;
        const piece: Piece = { outputs: best.outputs, cuts: new Set([...best.cuts, ...cut]) };
        const candidate = cutPiece(graph, piece);
        if (candidate.nodes.length >= current.nodes.length) continue;
        if (await budget.fails(candidate, 'cut')) {
          best = piece;
          current = candidate;
          changed = true;
          break;
        }
      }
      // The node list changed under the sweep: start the next sweep from the new last node.
      if (changed) break;
    }
  }
  return best;
}

/** Runs checks until the cap, each distinct candidate once. */
class CheckBudget {
  checks = 0;
  private readonly max: number;
  private readonly seen = new Map<string, boolean>();

  constructor(private readonly failing: FailingCheck, private readonly options: ReduceOptions) {
    this.max = options.maxChecks ?? DEFAULT_MAX_CHECKS;
  }

  get exhausted(): boolean {
    return this.checks >= this.max;
  }

  async fails(candidate: Graph, stage: ReduceStage): Promise<boolean> {
    const key = signature(candidate);
    const known = this.seen.get(key);
    if (known !== undefined) return known;
    this.checks++;
    const failed = await this.failing(candidate);
    this.seen.set(key, failed);
    this.options.onCheck?.({ checks: this.checks, nodes: candidate.nodes.length, failed, stage });
    return failed;
  }
}

function signature(g: Graph): string {
  return JSON.stringify([g.nodes.map((n) => n.name), g.inputs.map((v) => v.name), g.outputs.map((v) => v.name)]);
}
