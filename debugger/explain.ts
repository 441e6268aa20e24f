// explain: why a rule did not fire on a model. The rule is explained on the graph it would
// have met at the end of optimize: canonicalized, then rewritten by every OTHER rule of the
// library. That is the graph the user sees in the optimized output when the rule failed to
// apply (a MatMul + Add already fused into a Linear, say), so its partial matches are the
// ones that matter. `stage: 'canonical'` explains on the canonicalized graph alone instead.
import { SolderError } from '../ir/errors.js';
import type { Graph } from '../ir/graph.js';
import { canonicalize } from '../passes/pipeline.js';
import { applyRules } from '../patterns/driver.js';
import { type Explanation, explainRule } from '../patterns/explain.js';
import { BUILTIN_RULES } from '../patterns/library.js';
import type { Rule } from '../patterns/rule.js';
import { closeMatchesText } from './names.js';

export type ExplainStage = 'after-other-rules' | 'canonical';

export interface ExplainOptions {
  /** Explain at this node only (a name in the explained graph, or an original node fused by another rule: an error says which). */
  readonly node?: string;
  /** The rule library to look the rule up in, and whose other rules run first (default: BUILTIN_RULES). */
  readonly rules?: readonly Rule[];
  readonly stage?: ExplainStage;
}

/** Plain JSON-able data. */
export interface ExplainReport {
  readonly rule: string;
  readonly stage: ExplainStage;
  /** The rule's root ops, as `op` or `domain::op`. */
  readonly roots: readonly string[];
  /** One per candidate root node (or the one node asked for), in graph order. */
  readonly explanations: readonly Explanation[];
}

/** The rule of that name; a SolderError listing close names when there is none. */
export function findRule(ruleName: string, rules: readonly Rule[] = BUILTIN_RULES): Rule {
  const rule = rules.find((r) => r.name === ruleName);
  if (rule === undefined) {
    throw new SolderError(`no rule named '${ruleName}'${closeMatchesText(ruleName, rules.map((r) => r.name))}; the rules are listed by 'solder trace' and in patterns/library.ts`);
  }
  return rule;
}

/** Explains `ruleName` on a loaded (not yet canonicalized) graph. */
export function explainInModel(graph: Graph, ruleName: string, options: ExplainOptions = {}): ExplainReport {
  const rules = options.rules ?? BUILTIN_RULES;
  const rule = findRule(ruleName, rules);
  const stage = options.stage ?? 'after-other-rules';
  const canonical = canonicalize(graph);
  const explained = stage === 'canonical' ? canonical : applyRules(canonical, rules.filter((r) => r !== rule)).graph;
  if (options.node !== undefined) requireNode(explained, options.node, stage);
  const roots = rule.root.map((r) => (rule.domain === '' ? r : `${rule.domain}::${r}`));
  const explanations = explainRule(explained, rule, options.node === undefined ? {} : { node: options.node });
  return { rule: rule.name, stage, roots, explanations };
}

function requireNode(graph: Graph, name: string, stage: ExplainStage): void {
  if (graph.nodes.some((n) => n.name === name)) return;
  const fusedInto = graph.nodes.find((n) => n.origins?.includes(name));
  if (fusedInto !== undefined) {
    throw new SolderError(`node '${name}' was fused into '${fusedInto.name}' (${fusedInto.op}) by another rule; explain at that node, or pass --canonical to explain before the other rules run`);
  }
  const where = stage === 'canonical' ? 'the canonicalized graph' : 'the graph after the other rules';
  throw new SolderError(`no node named '${name}' in ${where}${closeMatchesText(name, graph.nodes.map((n) => n.name))}`);
}
