// What `solder debug --optimize [--inputs F]` shows beside the graph: the optimized graph,
// the rewrite trace, per-node numerics from `check`, and rule explanations on demand.
import { readRecordedIO } from '../../api/run.js';
import type { Graph } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import { opKey } from '../../ir/graph.js';
import { explainRule, type Explanation } from '../../patterns/explain.js';
import { BUILTIN_RULES } from '../../patterns/library.js';
import { canonicalize } from '../../passes/pipeline.js';
import { optimize } from '../../passes/optimize.js';
import { checkGraphs } from '../check.js';
import type { SessionInput } from '../web/session.js';
import type { NodeNumerics } from '../web/server.js';

/** The before/after session: `graph` against its optimized form, with numerics when inputs are given. */
export function optimizedSession(graph: Graph, inputsFile: string | undefined): SessionInput {
  const { graph: optimized, trace } = optimize(graph);
  const numerics = inputsFile === undefined ? undefined : nodeNumerics(graph, optimized, readRecordedIO(inputsFile).inputs);
  const canonical = canonicalize(graph);
  return {
    graph,
    compare: optimized,
    trace: trace.applications,
    ...(numerics === undefined ? {} : { numerics }),
    explain: (nodeName) => explainAt(canonical, nodeName),
  };
}

/** Per-node errors of `optimized` against a float64 run of `original` (see debugger/check.ts), for the page. */
export function nodeNumerics(original: Graph, optimized: Graph, inputs: ReadonlyMap<string, Tensor>): NodeNumerics[] {
  const report = checkGraphs(original, optimized, inputs);
  const first = report.firstFailing?.name;
  return report.nodes.map((n) => ({ name: n.name, maxAbs: n.maxAbs, maxRel: n.maxRel, ok: n.ok, firstFailing: n.name === first }));
}

// Every built-in rule rooted at the node's op, explained at that node of the canonical graph.
function explainAt(canonical: Graph, nodeName: string): Explanation[] {
  const node = canonical.nodes.find((n) => n.name === nodeName);
  if (node === undefined) return [];
  const key = opKey(node.domain, node.op);
  return BUILTIN_RULES
    .filter((r) => r.root.some((root) => opKey(r.domain, root) === key))
    .flatMap((r) => explainRule(canonical, r, { node: nodeName }));
}
