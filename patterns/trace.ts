// What a rewrite run did: one entry per application, for the debugger, the diff and tests.

export interface TraceEntry {
  readonly rule: string;
  /** The root node the rule matched at. */
  readonly anchor: string;
  /** The driver iteration (sweep over the graph) it happened in, from 0. */
  readonly iteration: number;
  /** Matched nodes taken out of the graph. */
  readonly removed: readonly string[];
  /** New nodes; each carries `origins`, the original nodes it stands for. */
  readonly added: readonly string[];
  /** Matched nodes left in place because their outputs are read elsewhere (rules with sharedIntermediates 'keep'). */
  readonly kept: readonly string[];
}

export interface RewriteTrace {
  readonly applications: readonly TraceEntry[];
  /** Sweeps made, the last of which changed nothing when converged. */
  readonly iterations: number;
  /** False when maxIterations ran out while rules still applied (a rule that undoes another?). */
  readonly converged: boolean;
}

/** One line per application: `attention/eager-matmul-softmax @ MatMul_9: -6 +1 (MatMul_9/Attention)`. */
export function formatTrace(trace: RewriteTrace): string {
  const lines = trace.applications.map((a) => {
    const kept = a.kept.length > 0 ? ` kept ${a.kept.join(', ')}` : '';
    return `${a.rule} @ ${a.anchor}: -${a.removed.length} +${a.added.length} (${a.added.join(', ')})${kept}`;
  });
  const end = trace.converged ? `fixed point after ${trace.iterations} sweeps` : `stopped after ${trace.iterations} sweeps without reaching a fixed point`;
  return [...lines, end].join('\n');
}

/** How often each rule applied, in first-application order. */
export function ruleCounts(trace: RewriteTrace): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of trace.applications) counts.set(a.rule, (counts.get(a.rule) ?? 0) + 1);
  return counts;
}
