// Why a rule did or did not fire: for each candidate root, the deepest partial match and
// the step, check or decline that stopped it, worded for a person.
import type { Graph, Node } from '../ir/graph.js';
import { opKey } from '../ir/graph.js';
import { attemptRule } from './apply.js';
import { capturesOf, clusterOf } from './match.js';
import type { Rule } from './rule.js';
import { WorkingGraph } from './working-graph.js';

export interface Explanation {
  readonly rule: string;
  /** The candidate root node. */
  readonly anchor: string;
  readonly outcome: 'matched' | 'no-match' | 'check-failed' | 'declined';
  /** The failing pattern step, a path from the root (`MatMul > in0 Softmax > in0 Add`). */
  readonly step?: string;
  /** The graph node it failed on. */
  readonly node?: string;
  readonly check?: string;
  readonly reason: string;
  /** The best partial match: nodes matched (root first) and captures bound. */
  readonly partial: { readonly nodes: readonly string[]; readonly captures: Readonly<Record<string, string>> };
  /** One line: "check 'scale-is-1/sqrt(head_dim)' failed on node 'Mul_4': found 0.3, expected 0.125". */
  readonly message: string;
}

export interface ExplainOptions {
  /** Explain only this node (by name); default: every node with the rule's root op. */
  readonly node?: string;
}

/** Runs the rule as the driver would (without changing the graph) and says what happened at each candidate. */
export function explainRule(graph: Graph, rule: Rule, options: ExplainOptions = {}): Explanation[] {
  const g = new WorkingGraph(graph);
  const roots = new Set(rule.root.map((r) => opKey(rule.domain, r)));
  const candidates = options.node === undefined
    ? graph.nodes.filter((n) => roots.has(opKey(n.domain, n.op)))
    : graph.nodes.filter((n) => n.name === options.node);
  if (options.node !== undefined && candidates.length === 0) throw new Error(`explainRule: no node named '${options.node}'`);
  return candidates.map((root) => explainAt(g, rule, root));
}

function explainAt(g: WorkingGraph, rule: Rule, root: Node): Explanation {
  const attempt = attemptRule(g, rule, root);
  const base = { rule: rule.name, anchor: root.name };
  if (attempt.ok) {
    const { plan } = attempt;
    const reason = `would replace ${plan.remove.map((n) => `'${n.name}'`).join(', ')} with ${plan.nodes.map((n) => `${n.op} '${n.name}'`).join(', ')}`;
    const nodes = plan.remove.map((n) => n.name);
    return { ...base, outcome: 'matched', reason, partial: { nodes, captures: {} }, message: `${rule.name} at '${root.name}': ${reason}` };
  }
  const f = attempt.failure;
  const partial = {
    nodes: clusterOf(f.partial).map((e) => e.node.name),
    captures: Object.fromEntries(capturesOf(f.partial)),
  };
  const on = f.node === undefined ? '' : ` on node '${f.node.name}' (${f.node.op})`;
  const what = f.kind === 'check' ? `check '${f.check}' failed${on}: ${f.reason}`
    : f.kind === 'structure' ? `no match at step ${f.step}${on}: ${f.reason}`
    : `declined${on}: ${f.reason}`;
  const outcome = f.kind === 'check' ? 'check-failed' : f.kind === 'structure' ? 'no-match' : 'declined';
  return {
    ...base, outcome, reason: f.reason, partial, message: `${rule.name} at '${root.name}': ${what}`,
    ...(f.step === undefined ? {} : { step: f.step }),
    ...(f.node === undefined ? {} : { node: f.node.name }),
    ...(f.check === undefined ? {} : { check: f.check }),
  };
}
