// One rule at one node: match, run the checks, ask the rewrite, and plan the replacement
// (which matched nodes go, which stay, names, provenance, types) without touching the
// graph, so that explain can run exactly what the driver runs. `commit` then applies it.
import type { AttrValue } from '../ir/attrs.js';
import { SolderError } from '../ir/errors.js';
import type { DType } from '../ir/dtype.js';
import { type Initializer, type Node, ONNX_DOMAIN, initializerFromBytes, initializerFromTensor } from '../ir/graph.js';
import { findOp, readAttrs } from '../ir/ops/spec.js';
import { type Tensor, tensorFromBytes } from '../ir/tensor.js';
import { type TensorType, typeToString } from '../ir/types.js';
import { type Bindings, FailureLog, NO_BINDINGS, clusterOf, matchRoot, mayMatchAt } from './match.js';
import { type Replacement, type RewriteContext, type Rule, Match, checkFailure } from './rule.js';
import type { TraceEntry } from './trace.js';
import type { WorkingGraph } from './working-graph.js';

export interface Plan {
  readonly rule: Rule;
  readonly root: Node;
  readonly remove: readonly Node[];
  readonly keep: readonly Node[];
  readonly nodes: readonly Node[];
  readonly initializers: ReadonlyMap<string, DraftInitializer>;
  readonly types: ReadonlyMap<string, TensorType>;
  /** Some replaced value was defined before the root: consumers may need re-sorting. */
  readonly interiorReplaced: boolean;
}

export interface AttemptFailure {
  readonly kind: 'structure' | 'check' | 'declined' | 'shared';
  readonly reason: string;
  readonly step?: string;
  readonly node?: Node;
  readonly check?: string;
  readonly partial: Bindings;
}

export type Attempt = { readonly ok: true; readonly plan: Plan } | { readonly ok: false; readonly failure: AttemptFailure };

export interface AttemptOptions {
  /**
   * 'full' (default): a failure says where and why, as explain shows it. 'brief': only
   * whether the rule matched; the structural failure reason is left out, which saves
   * building the text of every mismatch (the driver tries thousands of rules per sweep).
   */
  readonly failure?: 'full' | 'brief';
}

const NO_MATCH: Attempt = { ok: false, failure: { kind: 'structure', reason: 'no match', partial: NO_BINDINGS } };

/** Tries a rule at a root node; every structural match is tried before giving up. */
export function attemptRule(g: WorkingGraph, rule: Rule, root: Node, options: AttemptOptions = {}): Attempt {
  if (options.failure === 'brief' && !mayMatchAt(g, rule.pattern, root)) return NO_MATCH;
  const log = new FailureLog(options.failure !== 'brief');
  let later: AttemptFailure | undefined;
  let planned: Plan | undefined;
  matchRoot(g, rule.pattern, root, log, (b) => {
    const m = new Match(rule.name, root, b, g);
    const failed = firstFailedCheck(rule, m, g);
    if (failed !== undefined) {
      later ??= failed;
      return false;
    }
    const ctx = new DraftContext(g, root.name);
    const result = rule.rewrite(m, ctx);
    if ('declined' in result) {
      later ??= { kind: 'declined', reason: result.declined, node: root, partial: b };
      return false;
    }
    const plan = planReplacement(g, rule, m, result, ctx);
    if ('kind' in plan) {
      later ??= plan;
      return false;
    }
    planned = plan;
    return true;
  });
  if (planned !== undefined) return { ok: true, plan: planned };
  if (later !== undefined) return { ok: false, failure: later };
  const best = log.best;
  const partial = best?.partial ?? NO_BINDINGS;
  return { ok: false, failure: { kind: 'structure', reason: best?.reason ?? 'no match', step: best?.step, node: best?.node, partial } };
}

function firstFailedCheck(rule: Rule, m: Match, g: WorkingGraph): AttemptFailure | undefined {
  for (const c of rule.checks) {
    const reason = checkFailure(c.test(m, g));
    if (reason !== undefined) return { kind: 'check', check: c.name, reason, node: m.siteOf(c.on), partial: m.bindings };
  }
  return undefined;
}

/** Applies a plan to the working graph and returns its trace entry. */
export function commit(g: WorkingGraph, plan: Plan, iteration: number): TraceEntry {
  // New nodes that redefine values other nodes read must come before those readers: they go
  // where the first node they replace stood, when what they read is ready there.
  const early = plan.interiorReplaced ? g.earliestAnchor(plan.remove, plan.nodes) : undefined;
  g.remove(plan.remove);
  for (const { stored, decoded } of plan.initializers.values()) g.addInitializer(stored, decoded);
  g.insert(early ?? plan.root, plan.nodes, plan.interiorReplaced && early === undefined);
  for (const [v, t] of plan.types) g.setType(v, t);
  return {
    rule: plan.rule.name,
    anchor: plan.root.name,
    iteration,
    removed: plan.remove.map((n) => n.name),
    added: plan.nodes.map((n) => n.name),
    kept: plan.keep.map((n) => n.name),
  };
}

/** A new initializer: its stored form, and its values when the rewrite computed them. */
export interface DraftInitializer {
  readonly stored: Initializer;
  decoded?: Tensor;
}

/** Fresh names and new initializers for one rewrite, held until the plan is committed. */
class DraftContext implements RewriteContext {
  readonly initializers = new Map<string, DraftInitializer>();
  private readonly taken = new Set<string>();

  constructor(private readonly g: WorkingGraph, private readonly anchor: string) {}

  fresh(hint: string): string {
    const base = `${this.anchor}/${hint}`;
    let name = base;
    for (let k = 1; this.g.hasValueName(name) || this.taken.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }

  initializer(hint: string, tensor: Tensor): string {
    const name = this.fresh(hint);
    this.initializers.set(name, { stored: initializerFromTensor(name, tensor), decoded: tensor });
    return name;
  }

  storedInitializer(hint: string, dtype: DType, shape: readonly number[], bytes: Uint8Array): string {
    const name = this.fresh(hint);
    this.initializers.set(name, { stored: initializerFromBytes(name, dtype, shape, bytes) });
    return name;
  }

  producer(value: string) { return this.g.producer(value); }
  consumers(value: string) { return this.g.consumers(value); }
  isGraphOutput(value: string) { return this.g.isGraphOutput(value); }
  constant(value: string) {
    const draft = this.initializers.get(value);
    if (draft === undefined) return this.g.constant(value);
    const { dtype, shape, bytes } = draft.stored;
    return (draft.decoded ??= tensorFromBytes(dtype, shape, bytes.read()));
  }
  storedConstant(value: string) { return this.initializers.get(value)?.stored ?? this.g.storedConstant(value); }
  remember<T>(key: string, compute: () => T): T { return this.g.remember(key, compute); }
  isConstant(value: string) { return this.initializers.has(value) || this.g.isConstant(value); }
  typeOf(value: string) { return this.g.typeOf(value); }
  attrValues(node: Node) { return this.g.attrValues(node); }
}

function planReplacement(g: WorkingGraph, rule: Rule, m: Match, r: Replacement, ctx: DraftContext): Plan | AttemptFailure {
  const root = m.root;
  const cluster = clusterOf(m.bindings);
  const replaced = new Set(r.replaces === 'root' ? root.outputs.filter((v) => v !== '') : r.replaces);
  const bug = (problem: string) => new Error(`rule ${rule.name} at '${root.name}': ${problem}`);
  for (const v of replaced) {
    if (!cluster.some((e) => e.node.outputs.includes(v))) throw bug(`replaces '${v}', which no matched node defines`);
  }

  // A matched node can go when every output it keeps defining is read only by matched nodes that go too.
  const removable = new Set(cluster.map((e) => e.node));
  const outsideUse = (n: Node): { value: string; users: string } | undefined => {
    for (const v of n.outputs) {
      if (v === '' || replaced.has(v)) continue;
      if (g.isGraphOutput(v)) return { value: v, users: 'a graph output' };
      const outside = g.consumers(v).filter((c) => !removable.has(c));
      if (outside.length > 0) return { value: v, users: outside.map((c) => `'${c.name}'`).join(', ') };
    }
    return undefined;
  };
  for (let changed = true; changed;) {
    changed = false;
    for (const n of removable) {
      if (outsideUse(n) !== undefined) {
        removable.delete(n);
        changed = true;
      }
    }
  }
  const keep = cluster.filter((e) => !removable.has(e.node));
  for (const { node: n, shareable } of keep) {
    const use = outsideUse(n);
    const why = use === undefined ? '' : `intermediate '${use.value}' of '${n.name}' has other users (${use.users})`;
    if (n.outputs.some((v) => replaced.has(v))) return shared(`${why}, and '${n.name}' also defines a replaced value`, n, m);
    if (!shareable && rule.sharedIntermediates === 'decline') return shared(why, n, m);
  }

  // Provenance names what the new nodes stand for: the matched nodes that go. Nodes the
  // match only read through (kept because others still use them) stay in the graph as themselves.
  const origins = originsOf(g, cluster.filter((e) => removable.has(e.node)).map((e) => e.node));
  const nodes = nameNodes(g, root.name, r, origins, bug);
  const defined = new Set<string>();
  for (const n of nodes) for (const v of n.outputs) defined.add(v);
  for (const v of replaced) if (!defined.has(v)) throw bug(`replaces '${v}' but no new node defines it`);
  for (const v of defined) {
    if (v !== '' && !replaced.has(v) && g.hasValueName(v)) throw bug(`new node output '${v}' already names a value; use ctx.fresh()`);
  }
  const types = inferNewTypes(g, rule, nodes, replaced, ctx);
  const interiorReplaced = [...replaced].some((v) => !root.outputs.includes(v));
  return { rule, root, remove: cluster.map((e) => e.node).filter((n) => removable.has(n)), keep: keep.map((e) => e.node), nodes, initializers: ctx.initializers, types, interiorReplaced };
}

function shared(reason: string, n: Node, m: Match): AttemptFailure {
  return { kind: 'shared', reason, node: n, partial: m.bindings };
}

/** The original nodes behind a set of matched nodes: fused nodes contribute their own origins. */
function originsOf(g: WorkingGraph, nodes: readonly Node[]): string[] {
  const names = new Set<string>();
  for (const n of nodes) for (const o of n.origins ?? [n.name]) names.add(o);
  return [...names].sort((a, b) => g.sourcePosition(a) - g.sourcePosition(b));
}

function nameNodes(g: WorkingGraph, anchor: string, r: Replacement, origins: readonly string[], bug: (p: string) => Error): Node[] {
  const taken = new Set<string>();
  return r.nodes.map((spec) => {
    if (spec.outputs.length === 0) throw bug(`new ${spec.op} node has no outputs`);
    const base = `${anchor}/${spec.op}`;
    let name = base;
    for (let k = 1; g.hasNodeName(name) || taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    const attrs: Record<string, AttrValue> = {};
    for (const k in spec.attrs) {
      const a = spec.attrs[k];
      if (a !== undefined) attrs[k] = a;
    }
    return { name, op: spec.op, domain: spec.domain ?? ONNX_DOMAIN, inputs: [...spec.inputs], outputs: [...spec.outputs], attrs, origins };
  });
}

/** Types of the new nodes' outputs from their op specs; a replaced value must keep its dtype and rank. */
function inferNewTypes(g: WorkingGraph, rule: Rule, nodes: readonly Node[], replaced: ReadonlySet<string>, ctx: DraftContext): Map<string, TensorType> {
  const types = new Map<string, TensorType>();
  for (const [name, { stored }] of ctx.initializers) types.set(name, { dtype: stored.dtype, shape: stored.shape });
  for (const n of nodes) {
    const spec = findOp(n.domain, n.op);
    if (spec === undefined) throw new Error(`rule ${rule.name}: built an unknown op ${n.domain}::${n.op}`);
    const inputs = n.inputs.map((v) => (v === '' ? undefined : types.get(v) ?? g.typeOf(v)));
    if (n.inputs.some((v, i) => v !== '' && inputs[i] === undefined)) continue;
    let inferred: TensorType[];
    try {
      inferred = spec.infer({ node: n, inputs, attrs: readAttrs(spec, n), constant: (i) => ctx.constant(n.inputs[i] ?? '') });
    } catch (e) {
      if (!(e instanceof SolderError)) throw e;
      throw new SolderError(`rule ${rule.name} built an invalid node: ${e.message}`, { node: n.name, op: n.op });
    }
    n.outputs.forEach((v, k) => {
      const t = inferred[k];
      if (v === '' || t === undefined) return;
      const before = replaced.has(v) ? g.typeOf(v) : undefined;
      const rankDiffers = before?.shape !== undefined && t.shape !== undefined && before.shape.length !== t.shape.length;
      if (before !== undefined && (before.dtype !== t.dtype || rankDiffers)) {
        throw new SolderError(`rule ${rule.name} replaced '${v}' (${typeToString(before)}) with ${typeToString(t)}`, { node: n.name, op: n.op });
      }
      types.set(v, before ?? t);
    });
  }
  return types;
}
