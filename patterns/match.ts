// The matcher: walks a pattern tree up the producers of a root node, yielding every
// structural match (commutative operand orders, opt wrappers and oneOf alternatives are
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

/** Every structural match of an op pattern rooted at `root`, lazily. */
export function matchRoot(g: GraphView, pattern: OpPattern, root: Node, log: FailureLog): Generator<Bindings> {
  return new Matcher(g, log).node(pattern, root, () => pattern.ops.join('|'), NO_BINDINGS);
}

/**
 * A quick necessary condition for matchRoot to yield anything: the root's own op and
 * input count, and what each of its inputs must be one level up (the producer's op, a
 * constant, present or absent), in either operand order for commutative ops. Attributes
 * and repeated captures are left to the matcher. Most rule attempts fail right there, and
 * this answers them without the matcher's generators.
 */
export function mayMatchAt(g: GraphView, p: OpPattern, n: Node): boolean {
  if (!headMatches(p, n)) return false;
  const swappable = COMMUTATIVE.has(n.op) && p.domain === '' && p.inputs.length === 2 && n.inputs.length === 2;
  const inputsFit = (order: readonly number[]) => p.inputs.every((sub, k) => mayMatchValue(g, sub, n.inputs[order[k]!] ?? ''));
  return swappable ? SWAPPED_ORDERS.some(inputsFit) : inputsFit(identityOrder(p.inputs.length));
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

  private fail(b: Bindings, step: Text, node: Node | undefined, reason: Text): void {
    if (this.log.improves(b.progress)) this.log.record({ progress: b.progress, step: step(), node, reason: reason(), partial: b });
  }

  *value(p: Pattern, value: string, site: Node, step: Text, b: Bindings): Generator<Bindings> {
    if (p.kind === 'absent') {
      if (value === '') yield b;
      else this.fail(b, step, site, () => `expected no input, found '${value}'`);
      return;
    }
    if (p.kind === 'maybe') {
      if (value === '') yield bindAbsent(p.inner, b);
      else yield* this.value(p.inner, value, site, step, b);
      return;
    }
    if (value === '') {
      this.fail(b, step, site, () => 'the input is absent');
      return;
    }
    switch (p.kind) {
      case 'any': yield { ...b, progress: b.progress + 1 }; return;
      case 'capture': {
        const bound = bindValue(b, p.name, value, site);
        if (bound === undefined) return this.fail(b, step, site, () => `capture '${p.name}' is '${lookupValue(b, p.name)?.value}' elsewhere, '${value}' here`);
        if (p.inner === undefined) yield bound;
        else yield* this.value(p.inner, value, site, step, bound);
        return;
      }
      case 'constant': {
        if (!this.g.isConstant(value)) return this.fail(b, step, site, () => `'${value}' is not a constant (initializer or Constant)`);
        const bound = bindValue(b, p.name, value, site, true);
        if (bound === undefined) return this.fail(b, step, site, () => `constant '${p.name}' is '${lookupValue(b, p.name)?.value}' elsewhere, '${value}' here`);
        const producer = this.g.producer(value)?.node;
        yield producer === undefined ? bound : { ...bound, cluster: addToCluster(bound.cluster, producer, true) };
        return;
      }
      case 'op': {
        const produced = this.g.producer(value);
        if (produced === undefined) return this.fail(b, step, site, () => `'${value}' is a graph input or initializer, not the output of ${p.ops.join('|')}`);
        if (produced.output !== p.output) {
          return this.fail(b, step, produced.node, () => `'${value}' is output ${produced.output} of '${produced.node.name}', the pattern wants output ${p.output}`);
        }
        yield* this.node(p, produced.node, step, b);
        return;
      }
      case 'opt':
        yield* this.value(p.inner, value, site, step, b);
        yield* this.value(p.inner.inputs[0]!, value, site, () => `${step()} (without ${describePattern(p.inner)})`, b);
        return;
      case 'oneOf':
        for (const alt of p.alternatives) yield* this.value(alt, value, site, step, b);
        return;
    }
  }

  *node(p: OpPattern, n: Node, step: Text, b: Bindings): Generator<Bindings> {
    const domain = n.domain === 'ai.onnx' ? '' : n.domain;
    if (!p.ops.includes(n.op) || domain !== p.domain) {
      return this.fail(b, step, n, () => `expected ${p.ops.join('|')}${p.domain === '' ? '' : ` (${p.domain})`}, found ${n.op} '${n.name}'`);
    }
    const attrs = p.attrs;
    if (attrs !== undefined && !isMatching<AttrPattern>(attrs)(this.g.attrValues(n))) {
      return this.fail(b, step, n, () => `attributes ${showAttrs(this.g.attrValues(n), attrs)} do not match`);
    }
    for (let i = p.inputs.length; i < n.inputs.length; i++) {
      if (n.inputs[i] !== '') return this.fail(b, step, n, () => `has ${n.inputs.filter((v) => v !== '').length} inputs, the pattern lists ${p.inputs.length}`);
    }
    let bound: Bindings = { ...b, cluster: addToCluster(b.cluster, n, false), progress: b.progress + 1 };
    if (p.bind !== undefined) {
      const earlier = lookupNode(b, p.bind);
      if (earlier !== undefined && earlier !== n) return this.fail(b, step, n, () => `node '${p.bind}' is '${earlier.name}' elsewhere`);
      if (earlier === undefined) bound = { ...bound, bound: { kind: 'node', name: p.bind, node: n, prev: bound.bound } };
    }
    const swappable = COMMUTATIVE.has(n.op) && domain === '' && p.inputs.length === 2 && n.inputs.length === 2;
    for (const order of swappable ? SWAPPED_ORDERS : [identityOrder(p.inputs.length)]) {
      yield* this.inputs(p, n, order, 0, step, bound);
    }
  }

  private *inputs(p: OpPattern, n: Node, order: readonly number[], k: number, step: Text, b: Bindings): Generator<Bindings> {
    if (k === p.inputs.length) {
      yield b;
      return;
    }
    const sub = p.inputs[k]!;
    const from = order[k]!;
    const subStep = () => `${step()} > in${from} ${describePattern(sub)}`;
    for (const next of this.value(sub, n.inputs[from] ?? '', n, subStep, b)) {
      yield* this.inputs(p, n, order, k + 1, step, next);
    }
  }
}

const SWAPPED_ORDERS: readonly (readonly number[])[] = [[0, 1], [1, 0]];
const IDENTITY_ORDERS: (readonly number[])[] = [];

function identityOrder(length: number): readonly number[] {
  return (IDENTITY_ORDERS[length] ??= Array.from({ length }, (_, i) => i));
}

function bindValue(b: Bindings, name: string, value: string, site: Node | undefined, constant = false): Bindings | undefined {
  const earlier = lookupValue(b, name);
  if (earlier !== undefined) return earlier.value === value ? { ...b, progress: b.progress + 1 } : undefined;
  return { ...b, bound: { kind: 'value', name, value, site, constant, prev: b.bound }, progress: b.progress + 1 };
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

