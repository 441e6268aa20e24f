// The rule half of the language: a rule is data (a name, the root op it starts from, a
// pattern, named checks, a rewrite), so that the driver can index it and `explain` can say
// which part failed.
import type { AttrValue } from '../ir/attrs.js';
import type { DType } from '../ir/dtype.js';
import { type Node, ONNX_DOMAIN } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { type Bindings, clusterOf, lookupNode, lookupValue } from './match.js';
import type { OpPattern } from './pattern.js';
import type { GraphView } from './working-graph.js';

/** What a check returns: true, or why not (`{ found, expected }` reads best in explain). */
export type CheckOutcome = boolean | string | { readonly found: unknown; readonly expected: unknown };

export interface Check {
  /** Shown by explain: "check 'scale-is-1/sqrt(head_dim)' failed on node X: ...". */
  readonly name: string;
  /** The capture, constant or node binding it constrains; explain names the node it sits on. */
  readonly on: string;
  readonly test: (m: Match, g: GraphView) => CheckOutcome;
}

/** A named check on one binding. */
export function check(name: string, on: string, test: (m: Match, g: GraphView) => CheckOutcome): Check {
  return { name, on, test };
}

/** A node a rewrite adds; the driver names it `${anchor}/${op}` and records its origins. */
export interface NewNode {
  readonly op: string;
  readonly domain?: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs?: Readonly<Record<string, AttrValue | undefined>>;
}

export interface Replacement {
  /** New nodes in topological order. */
  readonly nodes: readonly NewNode[];
  /** The matched values the new nodes now define: the root's outputs, or a list. */
  readonly replaces: 'root' | readonly string[];
}

export interface Decline {
  readonly declined: string;
}

/** A rewrite's way to say no, with the reason explain shows. */
export function decline(reason: string): Decline {
  return { declined: reason };
}

/** What a rewrite may ask beyond the graph view: fresh names and new constants. */
export interface RewriteContext extends GraphView {
  /** An unused value name `${anchor}/${hint}`. */
  fresh(hint: string): string;
  /** Adds an initializer (a reshaped weight, a folded scale) and returns its name. */
  initializer(hint: string, tensor: Tensor): string;
  /** Adds an initializer given as stored (little-endian) bytes, for byte-level weight edits. */
  storedInitializer(hint: string, dtype: DType, shape: readonly number[], bytes: Uint8Array): string;
}

/** Interior nodes whose outputs are read outside the match: decline (default), or keep them. */
export type SharedIntermediates = 'decline' | 'keep';

export interface Rule {
  readonly name: string;
  /** Root op names and their domain, for the driver's index. */
  readonly root: readonly string[];
  readonly domain: string;
  readonly pattern: OpPattern;
  readonly checks: readonly Check[];
  readonly rewrite: (m: Match, ctx: RewriteContext) => Replacement | Decline;
  readonly sharedIntermediates: SharedIntermediates;
}

export interface RuleDefinition {
  readonly name: string;
  readonly root: string | readonly string[];
  readonly domain?: string;
  readonly pattern: OpPattern;
  readonly checks?: readonly Check[];
  readonly rewrite: (m: Match, ctx: RewriteContext) => Replacement | Decline;
  readonly sharedIntermediates?: SharedIntermediates;
}

/** Declares a rule; the pattern's top op must be the declared root. */
export function rule(def: RuleDefinition): Rule {
  const root = typeof def.root === 'string' ? [def.root] : [...def.root];
  const domain = def.domain ?? ONNX_DOMAIN;
  if (def.pattern.domain !== domain || root.some((r) => !def.pattern.ops.includes(r))) {
    throw new Error(`rule ${def.name}: root ${root.join('|')} is not the pattern's top op ${def.pattern.ops.join('|')}`);
  }
  return { name: def.name, root, domain, pattern: def.pattern, checks: def.checks ?? [], rewrite: def.rewrite, sharedIntermediates: def.sharedIntermediates ?? 'decline' };
}

/** A successful structural match, as checks and rewrites read it. Unknown names are rule bugs and throw. */
export class Match {
  constructor(readonly rule: string, readonly root: Node, private readonly b: Bindings, private readonly g: GraphView) {}

  /** The value bound by `capture(name)` or `constant(name)`; '' when it matched an absent input. */
  value(name: string): string {
    const v = lookupValue(this.b, name);
    if (v === undefined) throw new Error(`rule ${this.rule}: no capture named '${name}'`);
    return v.value;
  }

  has(name: string): boolean {
    const v = lookupValue(this.b, name);
    return (v !== undefined && v.value !== '') || lookupNode(this.b, name) !== undefined;
  }

  node(name: string): Node {
    const n = lookupNode(this.b, name);
    if (n === undefined) throw new Error(`rule ${this.rule}: no node binding named '${name}'`);
    return n;
  }

  constant(name: string): Tensor {
    const bound = lookupValue(this.b, name);
    const t = bound?.constant === true && bound.value !== '' ? this.g.constant(bound.value) : undefined;
    if (t === undefined) throw new Error(`rule ${this.rule}: no constant named '${name}'`);
    return t;
  }

  /** The one value of a constant with one element, or undefined when it holds more. */
  scalar(name: string): number | undefined {
    const t = this.constant(name);
    return t.data.length === 1 ? t.data[0] : undefined;
  }

  /** The node a binding sits on: the bound node, or the node reading a captured value. */
  siteOf(name: string): Node {
    return lookupNode(this.b, name) ?? lookupValue(this.b, name)?.site ?? this.root;
  }

  /** Every matched node, root first (Constant producers included). */
  get nodes(): readonly Node[] {
    return clusterOf(this.b).map((e) => e.node);
  }

  get bindings(): Bindings {
    return this.b;
  }
}

/** A check outcome as explain words it, or undefined when it passed. */
export function checkFailure(outcome: CheckOutcome): string | undefined {
  if (outcome === true) return undefined;
  if (outcome === false) return 'not satisfied';
  if (typeof outcome === 'string') return outcome;
  return `found ${show(outcome.found)}, expected ${show(outcome.expected)}`;
}

function show(x: unknown): string {
  return typeof x === 'string' ? x : JSON.stringify(x) ?? String(x);
}
