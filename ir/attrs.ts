// Node attributes: the ONNX attribute kinds, kept exactly (an int stays an int),
// and typed readers driven by each op's spec.
import type { Tensor } from './tensor.js';
import type { Graph } from './graph.js';

export type AttrValue =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'tensor'; readonly value: Tensor }
  | { readonly kind: 'graph'; readonly value: Graph }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'strings'; readonly value: readonly string[] };

export type AttrKind = AttrValue['kind'];

export type Attrs = Readonly<Record<string, AttrValue>>;

type ValueOf<K extends AttrKind> = Extract<AttrValue, { kind: K }>['value'];

/** One attribute of an op spec: its kind, and its default when the node leaves it out. */
export interface AttrSpec<K extends AttrKind = AttrKind, R extends boolean = boolean> {
  readonly kind: K;
  readonly default?: ValueOf<K>;
  /** required: the node must carry it; otherwise absent means `default` (or undefined). */
  readonly required: R;
}

export type AttrSpecs = Readonly<Record<string, AttrSpec>>;

/** The typed attribute record an op's kernel and inference see. */
export type AttrValues<S extends AttrSpecs> = {
  readonly [N in keyof S]: S[N] extends AttrSpec<infer K, infer R>
    ? R extends true ? ValueOf<K> : S[N] extends { default: unknown } ? ValueOf<K> : ValueOf<K> | undefined
    : never;
};

function spec<K extends AttrKind>(kind: K) {
  return {
    /** Absent means this default. */
    default: (value: ValueOf<K>) => ({ kind, default: value, required: false as const }),
    /** The node must carry it. */
    required: () => ({ kind, required: true as const }),
    /** Absent means undefined (the op's semantics change when it is given). */
    optional: () => ({ kind, required: false as const }),
  };
}

export const attr = {
  int: spec('int'),
  float: spec('float'),
  string: spec('string'),
  tensor: spec('tensor'),
  graph: spec('graph'),
  ints: spec('ints'),
  floats: spec('floats'),
  strings: spec('strings'),
};

export function intAttr(value: number): AttrValue {
  return { kind: 'int', value };
}
export function floatAttr(value: number): AttrValue {
  return { kind: 'float', value };
}
export function intsAttr(value: readonly number[]): AttrValue {
  return { kind: 'ints', value };
}
export function stringAttr(value: string): AttrValue {
  return { kind: 'string', value };
}
export function tensorAttr(value: Tensor): AttrValue {
  return { kind: 'tensor', value };
}
