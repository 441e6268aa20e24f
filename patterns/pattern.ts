// The pattern half of the rule language: trees over producers. A pattern is matched
// against a value: `op(...)` against the node producing it, the op's input patterns against
// the producers of that node's inputs, and so on up the graph.
//
//   op('MatMul', op('Softmax', capture('scores'), { axis: -1 }), capture('v'))
//
// Attribute sub-patterns are ts-pattern patterns (`{ axis: P.union(-1, 3) }`) matched against
// the node's attributes with the op spec's defaults filled in.
import type { P } from 'ts-pattern';
import { ONNX_DOMAIN } from '../ir/graph.js';

/** ts-pattern patterns per attribute name, over plain attribute values (an int is a number, ints a number[]). */
export type AttrPattern = Readonly<Record<string, P.Pattern<unknown>>>;

const PATTERN = Symbol('solder.pattern');

export interface OpPattern {
  readonly [PATTERN]: true;
  readonly kind: 'op';
  /** Accepted op names (ONNX spelling); one in almost every rule. */
  readonly ops: readonly string[];
  readonly domain: string;
  readonly inputs: readonly Pattern[];
  readonly attrs?: AttrPattern;
  /** Which output of the node the matched value must be. */
  readonly output: number;
  /** Binds the matched Node under this name (`node('sm', op(...))`). */
  readonly bind?: string;
}

export type Pattern =
  | OpPattern
  /** Any present value, bound by name; an inner pattern constrains its producer. */
  | { readonly [PATTERN]: true; readonly kind: 'capture'; readonly name: string; readonly inner?: Pattern }
  /** An initializer or Constant output, bound by name; rules read its Tensor and check it. */
  | { readonly [PATTERN]: true; readonly kind: 'constant'; readonly name: string }
  | { readonly [PATTERN]: true; readonly kind: 'any' }
  | { readonly [PATTERN]: true; readonly kind: 'absent' }
  /** The inner pattern, or an absent input (which binds the inner captures to ''). */
  | { readonly [PATTERN]: true; readonly kind: 'maybe'; readonly inner: Pattern }
  /** A pass-through op (Cast, Identity): matched when present, skipped to its first input when not. */
  | { readonly [PATTERN]: true; readonly kind: 'opt'; readonly inner: OpPattern }
  | { readonly [PATTERN]: true; readonly kind: 'oneOf'; readonly alternatives: readonly Pattern[] };

export function isPattern(x: unknown): x is Pattern {
  return typeof x === 'object' && x !== null && PATTERN in x;
}

/**
 * A node of one of the given ops (default domain), whose inputs match the given patterns in
 * order; a trailing plain object is the attribute pattern. The node may not have more
 * present inputs than the pattern lists: semantics-changing inputs are never ignored.
 */
export function op(name: string | readonly string[], ...args: (Pattern | AttrPattern)[]): OpPattern {
  return opIn(ONNX_DOMAIN, name, ...args);
}

/** Like `op`, for another domain: `opIn('solder', 'Attention', ...)`. */
export function opIn(domain: string, name: string | readonly string[], ...args: (Pattern | AttrPattern)[]): OpPattern {
  const last = args[args.length - 1];
  const attrs = last !== undefined && !isPattern(last) ? last : undefined;
  const inputs = (attrs === undefined ? args : args.slice(0, -1)).map((a, i) => {
    if (!isPattern(a)) throw new Error(`op(${String(name)}): argument ${i} is neither a pattern nor the trailing attribute pattern`);
    return a;
  });
  return { [PATTERN]: true, kind: 'op', ops: typeof name === 'string' ? [name] : [...name], domain, inputs, output: 0, ...(attrs === undefined ? {} : { attrs }) };
}

/** Binds the Node an op pattern matches, for checks (single use, attributes) and rewrites. */
export function node(name: string, inner: OpPattern): OpPattern {
  return { ...inner, bind: name };
}

/** Matches output `index` of a multi-output node (op patterns match output 0 by default). */
export function output(index: number, inner: OpPattern): OpPattern {
  return { ...inner, output: index };
}

/** Binds a value; the same name used twice must bind the same value (`Mul(x, Sigmoid(x))`). */
export function capture(name: string, inner?: Pattern): Pattern {
  return inner === undefined ? { [PATTERN]: true, kind: 'capture', name } : { [PATTERN]: true, kind: 'capture', name, inner };
}

/** An initializer or Constant output, bound by name. Never write constants as literals. */
export function constant(name: string): Pattern {
  return { [PATTERN]: true, kind: 'constant', name };
}

export function any(): Pattern {
  return { [PATTERN]: true, kind: 'any' };
}

export function absent(): Pattern {
  return { [PATTERN]: true, kind: 'absent' };
}

export function maybe(inner: Pattern): Pattern {
  return { [PATTERN]: true, kind: 'maybe', inner };
}

/** An optional pass-through wrapper: `opt(op('Cast', capture('x')))` matches Cast(x) or x. */
export function opt(inner: OpPattern): Pattern {
  if (inner.inputs.length === 0) throw new Error(`opt(${inner.ops.join('|')}): the wrapper needs an input to pass through`);
  return { [PATTERN]: true, kind: 'opt', inner };
}

/** The first alternative that matches (all are tried before the match fails). */
export function oneOf(...alternatives: Pattern[]): Pattern {
  return { [PATTERN]: true, kind: 'oneOf', alternatives };
}

/** A short name for a pattern in step paths: `Softmax`, `capture(q)`, `constant(scale)`. */
export function describePattern(p: Pattern): string {
  switch (p.kind) {
    case 'op': return (p.bind === undefined ? '' : `${p.bind}=`) + p.ops.join('|');
    case 'capture': return p.inner === undefined ? `capture(${p.name})` : `${p.name}=${describePattern(p.inner)}`;
    case 'constant': return `constant(${p.name})`;
    case 'any': return 'any';
    case 'absent': return 'absent';
    case 'maybe': return `maybe(${describePattern(p.inner)})`;
    case 'opt': return `opt(${describePattern(p.inner)})`;
    case 'oneOf': return p.alternatives.map(describePattern).join(' | ');
  }
}
