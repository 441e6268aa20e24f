// What a mask computes, read off its symbolic element: at position [#b, #h, #i, #j] of
// [batch, heads, q_seq, kv_seq], keep key #j iff
//   am[#b, #j] != 0   (padding: `am` a [batch, kv_seq] graph input)  and/or
//   #j <= #i          (HF's causal band with no past),
// as a bool keep-mask, or additively as [bias +] Where(keep, kept, fill).
import { type Dim, dimEq, dimToString, sym } from '../../ir/dim.js';
import { isFloat } from '../../ir/dtype.js';
import type { Node } from '../../ir/graph.js';
import type { GraphView } from '../working-graph.js';
import { MaskEvaluator, NotAMask } from './masks-eval.js';
import { type Expr, exprKey, num } from './masks-expr.js';

export interface AdditiveForm {
  /** What kept keys add: a constant, or an opaque value (T5's bias), broadcast like the mask. */
  readonly kept: number | string;
  /** What masked keys add (finfo.min or -inf in HF's masks). */
  readonly fill: number;
  /** A float value added to the whole mask (T5 eager's bias + Where(...)). */
  readonly addend?: string;
}

export interface MaskForm {
  /** The graph input whose nonzero entries are the keys kept (am[#b, #j] != 0). */
  readonly padding?: string;
  /** Keys after the query's position are masked (#j <= #i). */
  readonly causal: boolean;
  /** Absent for a bool keep-mask. */
  readonly additive?: AdditiveForm;
  /** How many nodes compute the mask now (what a rewrite can drop). */
  readonly clusterSize: number;
}

/** [batch, heads, q_seq, kv_seq] of the attention the mask is added to. */
export type AttentionDims = readonly [Dim, Dim, Dim, Dim];

const VARS = ['#b', '#h', '#i', '#j'] as const;

/**
 * Reads a mask's form, or throws NotAMask saying what is not padding or causal. Every
 * layer's attention reads the same mask, so the answer is remembered while the subgraph
 * it read stays as it was.
 */
export function recogniseMask(g: GraphView, mask: string, dims: AttentionDims): MaskForm {
  return g.remember(`attention/mask-form ${mask} [${dims.map(dimToString).join(', ')}]`, () => readMaskForm(g, mask, dims));
}

function readMaskForm(g: GraphView, mask: string, dims: AttentionDims): MaskForm {
  const ranges = new Map<string, Dim>();
  const ev = new MaskEvaluator(g, ranges);
  const shape = ev.shape(mask);
  if (shape.length > 4) throw new NotAMask(`the mask has rank ${shape.length}`);
  const full = [...Array<Dim>(4 - shape.length).fill(1), ...shape];
  const top: Expr[] = full.map((d, a) => (d === 1 ? num(0) : { k: 'int', d: sym(VARS[a]!) }));
  full.forEach((d, a) => ranges.set(VARS[a]!, d));
  const element = ev.elem(mask, top.slice(4 - shape.length));
  // The mask's value at [#b, #h, #i, #j] is the attention's there only where its axis is the
  // attention's (a size-1 mask axis could be broadcast); axes the value ignores need nothing.
  const used = exprKey(element);
  full.forEach((d, a) => {
    if (used.includes(VARS[a]!) && !dimEq(d, dims[a]!)) throw new NotAMask(`mask axis ${a} is ${show(d)}, the attention's is ${show(dims[a]!)}`);
  });
  const dtype = g.typeOf(mask)?.dtype;
  if (dtype === undefined) throw new NotAMask('the mask has no known dtype');
  const opaque = (e: Expr): string | undefined => (e.k === 'opaque' && alignedWith(g, e, top) ? e.value : undefined);

  let keep = element;
  let additive: AdditiveForm | undefined;
  if (isFloat(dtype)) {
    let rest = element;
    let addend: string | undefined;
    if (element.k === 'add') {
      addend = opaque(element.a) ?? opaque(element.b);
      rest = addend === opaque(element.a) ? element.b : element.a;
      if (addend === undefined) throw new NotAMask('the mask adds two terms neither of which is a plain float value');
    }
    if (rest.k === 'where') {
      const kept = rest.a.k === 'const' ? rest.a.v : opaque(rest.a);
      if (kept === undefined || rest.b.k !== 'const') throw new NotAMask(`the mask is Where(keep, ${exprKey(rest.a)}, ${exprKey(rest.b)})`);
      keep = rest.c;
      additive = { kept, fill: rest.b.v, ...(addend === undefined ? {} : { addend }) };
    } else {
      const kept = rest.k === 'const' ? rest.v : opaque(rest);
      if (kept === undefined) throw new NotAMask(`the mask is ${exprKey(rest)}`);
      keep = num(1);
      additive = { kept, fill: -Infinity, ...(addend === undefined ? {} : { addend }) };
    }
  }
  const leaves = new Set([additive?.kept, additive?.addend].filter((x): x is string => typeof x === 'string'));
  return { ...keepAtoms(g, keep, top, dims), ...(additive === undefined ? {} : { additive }), clusterSize: clusterSize(g, mask, leaves) };
}

/** Nodes between the mask and its leaves (inputs, constants, the opaque values it keeps). */
function clusterSize(g: GraphView, mask: string, leaves: ReadonlySet<string>): number {
  const seen = new Set<Node>();
  const stack = [mask];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (v === '' || leaves.has(v) || g.isConstant(v)) continue;
    const p = g.producer(v)?.node;
    if (p === undefined || seen.has(p)) continue;
    seen.add(p);
    stack.push(...p.inputs);
  }
  return seen.size;
}

function keepAtoms(g: GraphView, keep: Expr, top: readonly Expr[], dims: AttentionDims): { padding?: string; causal: boolean } {
  const atoms = keep.k === 'and' ? keep.xs : keep.k === 'const' && keep.v !== 0 ? [] : [keep];
  const [b, , i, j] = top.map(exprKey);
  let padding: string | undefined;
  let causal = false;
  for (const atom of atoms) {
    if (atom.k === 'le' && exprKey(atom.a) === j && exprKey(atom.b) === i && j !== '0') {
      causal = true;
      continue;
    }
    const read = atom.k === 'ne0' ? atom.x : atom;
    if (read.k === 'read' && padding === undefined && isPaddingInput(g, read, b!, j!, dims) && (atom.k === 'ne0' || g.typeOf(read.value)?.dtype === 'bool')) {
      padding = read.value;
      continue;
    }
    throw new NotAMask(`the mask keeps keys by ${exprKey(atom)}, which is neither padding nor causal`);
  }
  return { ...(padding === undefined ? {} : { padding }), causal };
}

/** am[#b, #j] of an integer or bool [batch, kv_seq] input. */
function isPaddingInput(g: GraphView, read: Extract<Expr, { k: 'read' }>, b: string, j: string, dims: AttentionDims): boolean {
  const t = g.typeOf(read.value);
  if (t?.shape === undefined || t.shape.length !== 2 || isFloat(t.dtype) || t.dtype === 'string') return false;
  if (b === '0' || j === '0' || read.idx.map(exprKey).join() !== [b, j].join()) return false;
  return dimEq(t.shape[0]!, dims[0]) && dimEq(t.shape[1]!, dims[3]);
}

/** An opaque value read at the mask's own position (right-aligned broadcasting). */
function alignedWith(g: GraphView, e: Extract<Expr, { k: 'opaque' }>, top: readonly Expr[]): boolean {
  const shape = g.typeOf(e.value)?.shape;
  if (shape === undefined || shape.length !== e.idx.length || shape.length > 4) return false;
  return e.idx.every((x, k) => {
    const want = top[4 - shape.length + k]!;
    return exprKey(x) === exprKey(want) || (shape[k] === 1 && x.k === 'const' && x.v === 0);
  });
}

function show(d: Dim): string {
  return typeof d === 'number' ? String(d) : d.expr;
}
