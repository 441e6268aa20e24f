// Symbols during inference: those the file names (graph input dims like `batch`, and
// dims it declares for values) and those inference mints for sizes only known at run time
// (`${node}_d0`, see ops/shape-inputs.ts). When a minted symbol meets a declared dim, the
// declaration tells what the symbol is, and every type holding it is rewritten.
import { type Dim, type SymDim, dimAdd, dimMul, isKnown, sym } from './dim.js';
import type { Graph } from './graph.js';
import { type TensorType, tensorType } from './types.js';

export class SymbolTable {
  private readonly named = new Set<string>();
  private readonly solved = new Map<string, Dim>();

  /** Collects the symbols the file itself names: graph inputs, value_info, graph outputs. */
  constructor(graph: Graph) {
    // Re-inference passes a graph with a type for every value: no copies of the lists, and
    // indexed loops over the dims (cold code allocates a result object per iterator step).
    const seen = new Set<string>();
    const collect = (t: TensorType) => {
      const shape = t.shape;
      if (shape === undefined) return;
      for (let i = 0; i < shape.length; i++) {
        const d = shape[i]!;
        if (isKnown(d) || seen.has(d.expr)) continue;
        seen.add(d.expr);
        for (const s of symbolsOf(d)) this.named.add(s);
      }
    };
    for (const v of graph.inputs) collect(v.type);
    graph.valueInfo.forEach(collect);
    for (const v of graph.outputs) collect(v.type);
  }

  /** True when the dim involves a symbol inference made up: a declared dim knows better. */
  isMinted(d: SymDim): boolean {
    return symbolsOf(d).some((s) => !this.named.has(s));
  }

  /** Records what the file says minted symbols are, from an inferred type and its merge with the declared one. */
  learn(inferred: TensorType, merged: TensorType): void {
    // Nothing was declared for the value (the common case): nothing to learn.
    if (merged === inferred) return;
    inferred.shape?.forEach((d, i) => {
      const m = merged.shape?.[i];
      if (m === undefined || isKnown(d) || d.poly.size !== 1 || d.poly.get(d.expr) !== 1) return;
      if ((isKnown(m) || m.expr !== d.expr) && this.isMinted(d) && !this.solved.has(d.expr)) this.solved.set(d.expr, m);
    });
  }

  get solvedAny(): boolean {
    return this.solved.size > 0;
  }

  /** The type with every solved symbol replaced by what it was found to be. */
  apply(t: TensorType): TensorType {
    if (this.solved.size === 0 || t.shape === undefined) return t;
    const dims = t.shape.map((d) => this.substitute(d));
    // The same record when no dim changed: callers compare types by identity first.
    return dims.every((d, i) => d === t.shape?.[i]) ? t : tensorType(t.dtype, dims);
  }

  private substitute(d: Dim): Dim {
    if (isKnown(d) || !symbolsOf(d).some((s) => this.solved.has(s))) return d;
    let out: Dim = 0;
    for (const [monomial, coefficient] of d.poly) {
      const factors = monomial === '' ? [] : monomial.split('*');
      out = dimAdd(out, factors.reduce<Dim>((acc, s) => dimMul(acc, this.solved.get(s) ?? sym(s)), coefficient));
    }
    return out;
  }
}

// Graphs repeat the same few dims everywhere; splitting their monomials once is enough.
const SYMBOLS_CACHE = new Map<string, readonly string[]>();
const SYMBOLS_CACHE_LIMIT = 1 << 14;

function symbolsOf(d: SymDim): readonly string[] {
  const cached = SYMBOLS_CACHE.get(d.expr);
  if (cached !== undefined) return cached;
  const out: string[] = [];
  for (const monomial of d.poly.keys()) if (monomial !== '') out.push(...monomial.split('*'));
  if (SYMBOLS_CACHE.size >= SYMBOLS_CACHE_LIMIT) SYMBOLS_CACHE.clear();
  SYMBOLS_CACHE.set(d.expr, out);
  return out;
}
