// Shape symbols of a plan: the graph inputs' symbolic dims, renamed to safe identifiers,
// bounded by --max-batch / --max-seq, and the formulas (plan.json) and Triton expressions
// (generated kernels) that symbolic dims become.
import { type Dim, isKnown } from '../../ir/dim.js';
import { SolderError } from '../../ir/errors.js';
import type { Graph } from '../../ir/graph.js';
import type { Formula } from './launch.js';

export interface PlanSymbol {
  /** The identifier in plan.json formulas (safe for the runtime's formula grammar). */
  readonly name: string;
  readonly max: number;
  readonly bucket: 'pow2' | 'mult64';
}

export interface Limits {
  readonly maxBatch: number;
  readonly maxSeq: number;
}

const RESERVED = new Set(['min', 'max', 'ceil_div']);
const SAFE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Model symbol -> plan symbol, for every symbol a graph input's shape names. */
export class Symbols {
  readonly byModel = new Map<string, PlanSymbol>();

  constructor(graph: Graph, limits: Limits) {
    const taken = new Set<string>();
    for (const input of graph.inputs) {
      (input.type.shape ?? []).forEach((d, axis) => {
        if (isKnown(d)) return;
        const only = [...d.poly];
        if (only.length !== 1 || only[0]![1] !== 1 || only[0]![0].includes('*') || only[0]![0] === '') {
          throw new SolderError(`input '${input.name}' has dim '${d.expr}': only plain symbols (like batch, seq) can be bound at run time`);
        }
        const model = only[0]![0];
        if (this.byModel.has(model)) return;
        const batchLike = /batch/i.test(model) || (axis === 0 && !/seq|len|token/i.test(model));
        let name = SAFE.test(model) && !RESERVED.has(model) ? model : `s${this.byModel.size}`;
        while (taken.has(name)) name = `${name}_`;
        taken.add(name);
        this.byModel.set(model, { name, max: batchLike ? limits.maxBatch : limits.maxSeq, bucket: batchLike ? 'pow2' : 'mult64' });
      });
    }
  }

  /** Every symbol's value at its max: the environment the memory layout is planned for. */
  get maxEnv(): Map<string, number> {
    return new Map([...this.byModel].map(([m, s]) => [m, s.max]));
  }

  /** The model symbols a dim mentions; a SolderError when one is not bound by an input. */
  symbolsOf(d: Dim, where: string): string[] {
    if (isKnown(d)) return [];
    const out = new Set<string>();
    for (const monomial of d.poly.keys()) {
      for (const s of monomial === '' ? [] : monomial.split('*')) {
        if (!this.byModel.has(s)) {
          throw new SolderError(`${where}: size '${d.expr}' depends on '${s}', which no graph input's shape binds (a data-dependent size cannot be planned)`);
        }
        out.add(s);
      }
    }
    return [...out];
  }

  /** A dim as a plan.json formula over the plan symbols. */
  formula(d: Dim, where: string): string | number {
    if (isKnown(d)) return d;
    this.symbolsOf(d, where);
    return render(d, (s) => this.byModel.get(s)!.name);
  }

  /** A launch-size formula (dims, ceil_div, products) as plan.json text. */
  render(f: Formula, where: string): string | number {
    if (typeof f === 'number' || !('op' in f)) return this.formula(f, where);
    const [a, b] = [this.render(f.a, where), this.render(f.b, where)];
    return f.op === 'ceil_div' ? `ceil_div(${a}, ${b})` : `(${a}) * (${b})`;
  }

  /** A formula's value with every symbol at env. */
  evaluateFormula(f: Formula, env: ReadonlyMap<string, number>): number {
    if (typeof f === 'number' || !('op' in f)) return this.evaluate(f, env);
    const [a, b] = [this.evaluateFormula(f.a, env), this.evaluateFormula(f.b, env)];
    return f.op === 'ceil_div' ? Math.ceil(a / b) : a * b;
  }

  /** A dim as Triton code, naming each symbol through `param`. */
  code(d: Dim, param: (modelSymbol: string) => string, where: string): string {
    if (isKnown(d)) return String(d);
    this.symbolsOf(d, where);
    return `(${render(d, param)})`;
  }

  /** A dim's value with every symbol at env (model names). */
  evaluate(d: Dim, env: ReadonlyMap<string, number>): number {
    if (isKnown(d)) return d;
    let total = 0;
    for (const [monomial, c] of d.poly) {
      let term = c;
      for (const s of monomial === '' ? [] : monomial.split('*')) term *= env.get(s) ?? NaN;
      total += term;
    }
    if (!Number.isFinite(total)) throw new SolderError(`size '${d.expr}' uses a symbol no graph input binds`);
    return total;
  }
}

function render(d: Exclude<Dim, number>, name: (s: string) => string): string {
  const terms = [...d.poly].map(([monomial, c], i) => {
    const factors = monomial === '' ? [] : monomial.split('*').map(name);
    const mag = Math.abs(c);
    const body = factors.length === 0 ? String(mag) : mag === 1 ? factors.join(' * ') : `${mag} * ${factors.join(' * ')}`;
    if (i === 0) return c < 0 ? `-${body}` : body;
    return c < 0 ? ` - ${body}` : ` + ${body}`;
  });
  return terms.join('');
}
