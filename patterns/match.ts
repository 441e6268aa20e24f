// The matcher: walks a pattern tree up the producers of a root node, handing every
// structural match to a callback (commutative operand orders, opt wrappers and oneOf alternatives are
// tried in turn, with full backtracking), and remembering the deepest partial match for
// `explain`.
import { isMatching } from 'ts-pattern';
import type { Node } from '../ir/graph.js';
import { type AttrPattern, type OpPattern, type Pattern, describePattern } from './pattern.js';
import type { GraphView } from './working-graph.js';

/** Ops whose two operands may be swapped; the matcher tries both orders so rules never spell both. */
export const COMMUTATIVE = new Set(['Add', 'Mul', 'And', 'Or', 'Xor', 'Equal', 'Max', 'Min', 'Sum']);

export interface ClusterEntry {
  readonly node: Node;
  /** Constant producers: removed with the cluster when unused, never a reason to decline. */
  readonly shareable: boolean;
}

/** One binding, linked to the ones made before it. */
type Bound =
  | { readonly kind: 'value'; readonly name: string; readonly value: string; readonly site: Node | undefined; readonly constant: boolean; readonly prev: Bound | undefined }
  | { readonly kind: 'node'; readonly name: string; readonly node: Node; readonly prev: Bound | undefined };

interface ClusterLink extends ClusterEntry {
  readonly prev: ClusterLink | undefined;
}

/**
 * What a (partial) match has bound so far. Persistent linked lists, newest first: binding
 * allocates one record and backtracking just drops it, which keeps failed attempts (the
 * common case, thousands per sweep) cheap.
 */
export interface Bindings {
  readonly bound: Bound | undefined;
  readonly cluster: ClusterLink | undefined;
  /** Pattern elements matched so far: the depth `explain` ranks partial matches by. */
  readonly progress: number;
}

export function lookupValue(b: Bindings, name: string): Extract<Bound, { kind: 'value' }> | undefined {
  for (let e = b.bound; e !== undefined; e = e.prev) if (e.kind === 'value' && e.name === name) return e;
  return undefined;
}

export function lookupNode(b: Bindings, name: string): Node | undefined {
  for (let e = b.bound; e !== undefined; e = e.prev) if (e.kind === 'node' && e.name === name) return e.node;
  return undefined;
}

/** Matched nodes in pattern order, the root first. */
export function clusterOf(b: Bindings): ClusterEntry[] {
  const out: ClusterEntry[] = [];
  for (let e = b.cluster; e !== undefined; e = e.prev) out.push({ node: e.node, shareable: e.shareable });
  return out.reverse();
}

/** Captured and constant values by name. */
export function capturesOf(b: Bindings): Map<string, string> {
  const out = new Map<string, string>();
  for (let e = b.bound; e !== undefined; e = e.prev) if (e.kind === 'value' && !out.has(e.name)) out.set(e.name, e.value);
  return new Map([...out].reverse());
}

export interface StructureFailure {
  readonly progress: number;
  /** The pattern step that failed, as a path from the root: `MatMul > in0 Softmax > in0 Add`. */
  readonly step: string;
  /** The graph node it failed on (the producer examined, or the node whose input it was). */
  readonly node: Node | undefined;
  readonly reason: string;
  readonly partial: Bindings;
}

export const NO_BINDINGS: Bindings = { bound: undefined, cluster: undefined, progress: 0 };

/** Tracks the deepest failure of one match attempt. */
export class FailureLog {
  best: StructureFailure | undefined;

  /** keep = false: a log that records nothing, for callers that only need to know whether a rule matched. */
  constructor(private readonly keep = true) {}

  /** Whether a failure at this progress would replace the best one. */
  improves(progress: number): boolean {
    return this.keep && (this.best === undefined || progress > this.best.progress);
  }

  record(failure: StructureFailure): void {
    if (this.improves(failure.progress)) this.best = failure;
  }
}

/** Receives one structural match; returns true to stop the search there. */
export type OnMatch = (b: Bindings) => boolean;

/**
 * Hands every structural match of an op pattern rooted at `root` to onMatch, in order, until
 * it returns true; returns whether it did. Callbacks rather than a generator: most attempts
 * fail, and a generator per pattern element made failing cost more than matching.
 */
export function matchRoot(g: GraphView, pattern: OpPattern, root: Node, log: FailureLog, onMatch: OnMatch): boolean {
  return new Matcher(g, log).node(pattern, root, () => pattern.ops.join('|'), NO_BINDINGS, onMatch);
}

/**
 * A quick necessary condition for matchRoot to find anything: the root's own op and
 * input count, and what each of its inputs must be one level up (the producer's op, a
 * constant, present or absent), in either operand order for commutative ops. Attributes
 * and repeated captures are left to the matcher. Most rule attempts fail right there, and
 * this answers them without starting the matcher.
 */
export function mayMatchAt(g: GraphView, p: OpPattern, n: Node): boolean {
  if (!headMatches(p, n)) return false;
  const swappable = COMMUTATIVE.has(n.op) && p.domain === '' && p.inputs.length === 2 && n.inputs.length === 2;
  if (!swappable) return inputsFit(g, p, n, identityOrder(p.inputs.length));
  return inputsFit(g, p, n, SWAPPED_ORDERS[0]!) || inputsFit(g, p, n, SWAPPED_ORDERS[1]!);
}

function inputsFit(g: GraphView, p: OpPattern, n: Node, order: readonly number[]): boolean {
  for (let k = 0; k < p.inputs.length; k++) if (!mayMatchValue(g, p.inputs[k]!, n.inputs[order[k]!] ?? '')) return false;
  return true;
}

function headMatches(p: OpPattern, n: Node): boolean {
  const domain = n.domain === 'ai.onnx' ? '' : n.domain;
  if (!p.ops.includes(n.op) || domain !== p.domain) return false;
  for (let i = p.inputs.length; i < n.inputs.length; i++) if (n.inputs[i] !== '') return false;
  return true;
}

function mayMatchValue(g: GraphView, p: Pattern, value: string): boolean {
  if (p.kind === 'absent') return value === '';
  if (p.kind === 'maybe') return value === '' || mayMatchValue(g, p.inner, value);
  if (value === '') return false;
  switch (p.kind) {
    case 'any': return true;
    case 'capture': return p.inner === undefined || mayMatchValue(g, p.inner, value);
    case 'constant': return g.isConstant(value);
    case 'op': {
      const produced = g.producer(value);
      return produced !== undefined && produced.output === p.output && headMatches(p, produced.node);
    }
    case 'opt': return mayMatchValue(g, p.inner, value) || mayMatchValue(g, p.inner.inputs[0]!, value);
    case 'oneOf': return p.alternatives.some((alt) => mayMatchValue(g, alt, value));
  }
}

// Step paths and failure reasons are text for explain; most attempts fail, and only the
// deepest failure is kept, so both are built only when a failure is recorded.
type Text = () => string;

class Matcher {
  constructor(private readonly g: GraphView, private readonly log: FailureLog) {}

  /** Records a failed step; returns false (no match found) for the caller to return. */
  private fail(b: Bindings, step: Text, node: Node | undefined, reason: Text): false {
    if (this.log.improves(b.progress)) this.log.record({ progress: b.progress, step: step(), node, reason: reason(), partial: b });
    return false;
  }

  value(p: Pattern, value: string, site: Node, step: Text, b: Bindings, onMatch: OnMatch): boolean {
    if (p.kind === 'absent') {
      if (value === '') return onMatch(b);
      this.fail(b, step, site, () => `expected no input, found '${value}'`);
      return false;
    }
    if (p.kind === 'maybe') {
      return value === '' ? onMatch(bindAbsent(p.inner, b)) : this.value(p.inner, value, site, step, b, onMatch);
    }
    if (value === '') {
      this.fail(b, step, site, () => 'the input is absent');
      return false;
    }
    switch (p.kind) {
      case 'any': return onMatch(advanced(b));
      case 'capture': {
        const bound = bindValue(b, p.name, value, site);
        if (bound === undefined) return this.fail(b, step, site, () => `capture '${p.name}' is '${lookupValue(b, p.name)?.value}' elsewhere, '${value}' here`);
        return p.inner === undefined ? onMatch(bound) : this.value(p.inner, value, site, step, bound, onMatch);
      }
      case 'constant': {
        if (!this.g.isConstant(value)) return this.fail(b, step, site, () => `'${value}' is not a constant (initializer or Constant)`);
        const bound = bindValue(b, p.name, value, site, true);
        if (bound === undefined) return this.fail(b, step, site, () => `constant '${p.name}' is '${lookupValue(b, p.name)?.value}' elsewhere, '${value}' here`);
        const producer = this.g.producer(value)?.node;
        return onMatch(producer === undefined ? bound : { bound: bound.bound, cluster: addToCluster(bound.cluster, producer, true), progress: bound.progress });
      }
      case 'op': {
        const produced = this.g.producer(value);
        if (produced === undefined) return this.fail(b, step, site, () => `'${value}' is a graph input or initializer, not the output of ${p.ops.join('|')}`);
        if (produced.output !== p.output) {
          return this.fail(b, step, produced.node, () => `'${value}' is output ${produced.output} of '${produced.node.name}', the pattern wants output ${p.output}`);
        }
        return this.node(p, produced.node, step, b, onMatch);
      }
      case 'opt':
        return (
          this.value(p.inner, value, site, step, b, onMatch) ||
          this.value(p.inner.inputs[0]!, value, site, () => `${step()} (without ${describePattern(p.inner)})`, b, onMatch)
        );
      case 'oneOf':
        return p.alternatives.some((alt) => this.value(alt, value, site, step, b, onMatch));
    }
  }

  node(p: OpPattern, n: Node, step: Text, b: Bindings, onMatch: OnMatch): boolean {
    const domain = n.domain === 'ai.onnx' ? '' : n.domain;
    if (!p.ops.includes(n.op) || domain !== p.domain) {
      return this.fail(b, step, n, () => `expected ${p.ops.join('|')}${p.domain === '' ? '' : ` (${p.domain})`}, found ${n.op} '${n.name}'`);
    }
    const attrs = p.attrs;
    if (attrs !== undefined && !isMatching(attrs, this.g.attrValues(n))) {
      return this.fail(b, step, n, () => `attributes ${showAttrs(this.g.attrValues(n), attrs)} do not match`);
    }
    for (let i = p.inputs.length; i < n.inputs.length; i++) {
      if (n.inputs[i] !== '') return this.fail(b, step, n, () => `has ${n.inputs.filter((v) => v !== '').length} inputs, the pattern lists ${p.inputs.length}`);
    }
    // Bindings are built field by field, not spread: the matcher makes thousands per sweep.
    let bound: Bindings = { bound: b.bound, cluster: addToCluster(b.cluster, n, false), progress: b.progress + 1 };
    if (p.bind !== undefined) {
      const earlier = lookupNode(b, p.bind);
      if (earlier !== undefined && earlier !== n) return this.fail(b, step, n, () => `node '${p.bind}' is '${earlier.name}' elsewhere`);
      if (earlier === undefined) bound = { bound: { kind: 'node', name: p.bind, node: n, prev: bound.bound }, cluster: bound.cluster, progress: bound.progress };
    }
    const swappable = COMMUTATIVE.has(n.op) && domain === '' && p.inputs.length === 2 && n.inputs.length === 2;
    if (!swappable) return this.inputs(p, n, identityOrder(p.inputs.length), 0, step, bound, onMatch);
    return this.inputs(p, n, SWAPPED_ORDERS[0]!, 0, step, bound, onMatch) || this.inputs(p, n, SWAPPED_ORDERS[1]!, 0, step, bound, onMatch);
  }

  /** Matches inputs k.. of n (in the given operand order) one after the other, backtracking through each. */
  private inputs(p: OpPattern, n: Node, order: readonly number[], k: number, step: Text, b: Bindings, onMatch: OnMatch): boolean {
    if (k === p.inputs.length) return onMatch(b);
    const sub = p.inputs[k]!;
    const from = order[k]!;
    const subStep = () => `${step()} > in${from} ${describePattern(sub)}`;
    return this.value(sub, n.inputs[from] ?? '', n, subStep, b, (next) => this.inputs(p, n, order, k + 1, step, next, onMatch));
  }
}

const SWAPPED_ORDERS: readonly (readonly number[])[] = [[0, 1], [1, 0]];
const IDENTITY_ORDERS: (readonly number[])[] = [];

function identityOrder(length: number): readonly number[] {
  return (IDENTITY_ORDERS[length] ??= Array.from({ length }, (_, i) => i));
}

function bindValue(b: Bindings, name: string, value: string, site: Node | undefined, constant = false): Bindings | undefined {
  const earlier = lookupValue(b, name);
  if (earlier !== undefined) return earlier.value === value ? advanced(b) : undefined;
  return { bound: { kind: 'value', name, value, site, constant, prev: b.bound }, cluster: b.cluster, progress: b.progress + 1 };
}

function advanced(b: Bindings): Bindings {
  return { bound: b.bound, cluster: b.cluster, progress: b.progress + 1 };
}

/** An absent optional input binds the captures below it to '' (an absent value, as in Node.inputs). */
function bindAbsent(p: Pattern, b: Bindings): Bindings {
  switch (p.kind) {
    case 'capture': case 'constant': return lookupValue(b, p.name) !== undefined ? b : bindValue(b, p.name, '', undefined, p.kind === 'constant') ?? b;
    case 'maybe': case 'opt': return bindAbsent(p.inner, b);
    case 'op': return p.inputs.reduce(bindAbsentInto, b);
    default: return b;
  }
}

const bindAbsentInto = (b: Bindings, p: Pattern) => bindAbsent(p, b);

function addToCluster(cluster: ClusterLink | undefined, node: Node, shareable: boolean): ClusterLink {
  for (let e = cluster; e !== undefined; e = e.prev) if (e.node === node) return cluster!;
  return { node, shareable, prev: cluster };
}

function showAttrs(values: Readonly<Record<string, unknown>>, pattern: AttrPattern): string {
  const shown = Object.keys(pattern).map((k) => `${k}: ${JSON.stringify(values[k]) ?? 'absent'}`);
  return `{ ${shown.join(', ')} }`;
}

