// A kernel launch before names and memory are assigned: library or generated kernel,
// arguments as views of stored tensors or size formulas, constant attributes.
import type { Dim } from '../../ir/dim.js';
import type { View } from './views.js';

/** A launch size: a dim, or ceil_div / product of sizes (rendered as a plan formula). */
export type Formula = Dim | { readonly op: 'ceil_div'; readonly a: Formula; readonly b: number } | { readonly op: 'mul'; readonly a: Formula; readonly b: Formula };

/** A stored tensor's view, a size formula, or (real) the unpadded run-time value of a symbol dim. */
export type LaunchArg = { readonly view: View } | { readonly formula: Dim } | { readonly real: Dim };

export type Attr = number | string | boolean | null;

export interface GeneratedSource {
  readonly source: string;
  readonly signature: readonly { readonly name: string; readonly kind: 'tensor' | 'int' | 'float' | 'constexpr' }[];
  readonly numWarps?: number;
}

export interface Launch {
  /** A runtime library kernel name, or 'generated'. */
  readonly kernel: string;
  /** Provenance: the IR node (or nodes) this launch computes. */
  readonly name: string;
  readonly args: Readonly<Record<string, LaunchArg>>;
  readonly attrs: Readonly<Record<string, Attr>>;
  readonly grid?: readonly Formula[];
  readonly generated?: GeneratedSource;
}
