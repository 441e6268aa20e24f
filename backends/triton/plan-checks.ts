// Structural checks of an emitted plan, shared by the tests: schema validity, every name
// bound, formulas over declared symbols, and no two live buffers sharing arena bytes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Json } from './plan.js';
import { type Schema, schemaErrors } from './schema-check.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export function planSchema(): Schema {
  return JSON.parse(fs.readFileSync(path.join(here, 'plan.schema.json'), 'utf8')) as Schema;
}

/** The runtime's kernel tables (kernels/__init__.py, collectives in distributed.py): kernel -> required and optional tensor args, attrs. */
export function runtimeLibrary(): Map<string, { required: string[]; optional: string[]; attrs: string[] }> {
  const text = ['kernels/__init__.py', 'distributed.py'].map((f) => fs.readFileSync(path.join(here, 'runtime/solder_runtime', f), 'utf8')).join('\n');
  const table = new Map<string, { required: string[]; optional: string[]; attrs: string[] }>();
  const entry = /"(\w+)": LibraryKernel\([\w.]+,\s*\(([^)]*)\)(?:,\s*\(([^)]*)\))?(?:,\s*\(([^)]*)\))?\)/g;
  const names = (s: string | undefined) => [...(s ?? '').matchAll(/"(\w+)"/g)].map((m) => m[1]!);
  for (const m of text.matchAll(entry)) table.set(m[1]!, { required: names(m[2]), optional: names(m[3]), attrs: names(m[4]) });
  return table;
}

/** Value of a plan formula (the grammar of solder_runtime/formula.py). */
export function evalFormula(f: Json, env: Readonly<Record<string, number>>): number {
  if (typeof f === 'number') return f;
  const tokens = String(f).match(/\d+|[A-Za-z_][A-Za-z0-9_]*|\/\/|[-+*(),]/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const take = () => tokens[i++]!;
  const expr = (): number => {
    let v = term();
    while (peek() === '+' || peek() === '-') v = take() === '+' ? v + term() : v - term();
    return v;
  };
  const term = (): number => {
    let v = unary();
    while (peek() === '*' || peek() === '//') v = take() === '*' ? v * unary() : Math.floor(v / unary());
    return v;
  };
  const unary = (): number => (peek() === '-' ? (take(), -unary()) : atom());
  const atom = (): number => {
    const t = take();
    if (/^\d+$/.test(t)) return Number(t);
    if (t === '(') { const v = expr(); take(); return v; }
    if (peek() === '(') {
      take();
      const args = [expr()];
      while (peek() === ',') { take(); args.push(expr()); }
      take();
      if (t === 'ceil_div') return Math.ceil(args[0]! / args[1]!);
      return t === 'min' ? Math.min(...args) : Math.max(...args);
    }
    if (!(t in env)) throw new Error(`formula '${String(f)}' uses undeclared symbol '${t}'`);
    return env[t]!;
  };
  const v = expr();
  if (i !== tokens.length) throw new Error(`formula '${String(f)}' has trailing tokens`);
  return v;
}

type Obj = { [key: string]: Json };

const BYTES: Record<string, number> = { float32: 4, float16: 2, bfloat16: 2, float64: 8, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1 };

/** Every problem found in a plan (empty when sound). */
export function planProblems(plan: Obj): string[] {
  const problems = schemaErrors(plan, planSchema());
  if (problems.length > 0) return problems;
  const env = Object.fromEntries(Object.entries(plan.symbols as Obj).map(([k, v]) => [k, (v as Obj).max as number]));
  const names = {
    buffer: new Set(Object.keys(plan.buffers as Obj)),
    weight: new Set(Object.keys(plan.weights as Obj)),
    input: new Set((plan.inputs as Obj[]).map((io) => io.name as string)),
    output: new Set((plan.outputs as Obj[]).map((io) => io.name as string)),
  };
  const tp = plan.tensor_parallel as Obj | undefined;
  if (tp !== undefined && (tp.rank as number) >= (tp.world_size as number)) problems.push(`tensor_parallel: rank ${String(tp.rank)} of ${String(tp.world_size)}`);
  const library = runtimeLibrary();
  const generated = (plan.generated_kernels ?? {}) as Obj;
  const live = new Map<string, [number, number]>();
  (plan.launches as Obj[]).forEach((l, i) => {
    const where = `launches[${i}] (${String(l.name)})`;
    const args = l.args as Obj;
    const attrs = (l.attrs ?? {}) as Obj;
    for (const [arg, ref] of Object.entries(args)) {
      const r = ref as Obj;
      if ('formula' in r) { evalFormula(r.formula!, env); continue; }
      const kinds = (['buffer', 'weight', 'input', 'output', 'real'] as const).filter((k) => k in r);
      if (kinds.length !== 1) { problems.push(`${where}.${arg}: names ${kinds.length} sources`); continue; }
      const kind = kinds[0]!;
      if (kind !== 'real' && !names[kind].has(r[kind] as string)) problems.push(`${where}.${arg}: unknown ${kind} '${String(r[kind])}'`);
      if (kind === 'buffer') {
        const prev = live.get(r.buffer as string);
        live.set(r.buffer as string, prev === undefined ? [i, i] : [prev[0], i]);
      }
    }
    const kernel = l.kernel as string;
    if (kernel.startsWith('generated:')) {
      const g = generated[kernel.slice('generated:'.length)] as Obj | undefined;
      if (g === undefined) { problems.push(`${where}: no generated kernel ${kernel}`); return; }
      for (const p of g.signature as Obj[]) {
        const bound = p.kind === 'tensor' || p.kind === 'int' ? p.name as string in args : p.name as string in attrs;
        if (!bound) problems.push(`${where}: parameter ${String(p.name)} (${String(p.kind)}) is not bound`);
      }
      for (const f of l.grid as Json[]) evalFormula(f, env);
      return;
    }
    const spec = library.get(kernel);
    if (spec === undefined) { problems.push(`${where}: '${kernel}' is not a runtime library kernel`); return; }
    for (const a of spec.required) if (!(a in args)) problems.push(`${where}: required argument '${a}' missing`);
    for (const a of Object.keys(args)) if (![...spec.required, ...spec.optional].includes(a)) problems.push(`${where}: unknown argument '${a}'`);
    for (const a of Object.keys(attrs)) if (!spec.attrs.includes(a)) problems.push(`${where}: unknown attribute '${a}'`);
  });
  problems.push(...overlapProblems(plan.buffers as Obj, live, env));
  const size = evalFormula((plan.arena as Obj).size!, env);
  for (const [name, b] of Object.entries(plan.buffers as Obj)) {
    const end = bufferEnd(b as Obj, env);
    if (end > size) problems.push(`buffer ${name} ends at ${end}, past the ${size}-byte arena`);
    if (!live.has(name)) problems.push(`buffer ${name} is never used`);
  }
  return problems;
}

function bufferEnd(b: Obj, env: Readonly<Record<string, number>>): number {
  const n = (b.shape as Json[]).reduce<number>((acc, d) => acc * evalFormula(d, env), 1);
  return evalFormula(b.offset!, env) + n * BYTES[b.dtype as string]!;
}

// Liveness simulated over the launch list: buffers touched by overlapping launch ranges must not share bytes.
function overlapProblems(buffers: Obj, live: ReadonlyMap<string, [number, number]>, env: Readonly<Record<string, number>>): string[] {
  const spans = [...live].map(([name, range]) => {
    const b = buffers[name] as Obj;
    return { name, range, start: evalFormula(b.offset!, env), end: bufferEnd(b, env) };
  });
  const problems: string[] = [];
  for (let a = 0; a < spans.length; a++) {
    for (let c = a + 1; c < spans.length; c++) {
      const [x, y] = [spans[a]!, spans[c]!];
      const together = x.range[0] <= y.range[1] && y.range[0] <= x.range[1];
      if (together && x.start < y.end && y.start < x.end) problems.push(`buffers ${x.name} and ${y.name} are live together and overlap`);
    }
  }
  return problems;
}

/** Sum of every buffer's bytes at the max sizes. */
export function naiveBytes(plan: Obj): number {
  const env = Object.fromEntries(Object.entries(plan.symbols as Obj).map(([k, v]) => [k, (v as Obj).max as number]));
  return Object.values(plan.buffers as Obj).reduce<number>((acc, b) => acc + bufferEnd({ ...(b as Obj), offset: 0 }, env), 0);
}
