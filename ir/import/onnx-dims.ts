// ONNX dim_param strings -> symbolic dims. Exporters write plain names (`batch`, `seq`,
// `unk__10`) and, for derived sizes, small expressions (`batch*seq`, `s0 + 1`, `2*s0`);
// those become symbolic arithmetic so that `batch*seq` equals the product of its factors.
// Anything else (`s0//2`, `floor(x)`) stays one opaque symbol named by the whole string.
import { type Dim, dimAdd, dimMul, dimSub, sym } from '../dim.js';

// Bounds that keep a hostile dim_param from costing time or memory: (a+b)*(c+d)*... grows
// exponentially in terms.
export const MAX_PARAM_LENGTH = 200;
const MAX_TERMS = 64;

// Files repeat a few dim_params thousands of times (one per value_info dim): each parses
// once. Dims are immutable, so one may stand in many types.
const PARSED = new Map<string, Dim>();
const PARSED_LIMIT = 1 << 12;

/** The dim a dim_param string denotes. */
export function parseDimParam(param: string): Dim {
  const known = PARSED.get(param);
  if (known !== undefined) return known;
  const dim = parse(param);
  if (PARSED.size >= PARSED_LIMIT) PARSED.clear();
  PARSED.set(param, dim);
  return dim;
}

function parse(param: string): Dim {
  const text = param.trim();
  if (text.length === 0 || text.length > MAX_PARAM_LENGTH) return sym(param);
  const tokens = tokenize(text);
  if (tokens === undefined) return sym(param);
  const parser = new Parser(tokens);
  const dim = parser.expr();
  return dim !== undefined && parser.done() ? dim : sym(param);
}

/** Identifiers a dim_param mentions, so that generated symbols can avoid them. */
export function namesInDimParam(param: string): string[] {
  return [param, ...(param.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [])];
}

/** Fresh symbols for dims that have neither a value nor a name, unique within one file. */
export class FreshSymbols {
  private next = 0;
  constructor(private readonly taken: ReadonlySet<string>) {}

  fresh(): Dim {
    let name = `anon${this.next++}`;
    while (this.taken.has(name)) name = `anon${this.next++}`;
    return sym(name);
  }
}

type Token = { kind: 'num'; value: number } | { kind: 'name'; value: string } | { kind: 'op'; value: string };

function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  const re = /\s*(?:(\d+)|([A-Za-z_][A-Za-z0-9_]*)|([-+*()]))/y;
  while (re.lastIndex < text.length) {
    const m = re.exec(text);
    if (m === null) return undefined;
    if (m[1] !== undefined) {
      const value = Number(m[1]);
      if (!Number.isSafeInteger(value)) return undefined;
      tokens.push({ kind: 'num', value });
    } else if (m[2] !== undefined) {
      tokens.push({ kind: 'name', value: m[2] });
    } else if (m[3] !== undefined) {
      tokens.push({ kind: 'op', value: m[3] });
    } else {
      return undefined; // trailing whitespace only
    }
  }
  return tokens;
}

// expr := term (('+' | '-') term)* ; term := factor ('*' factor)* ;
// factor := number | name | '(' expr ')' | '-' factor
class Parser {
  private at = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  done(): boolean {
    return this.at === this.tokens.length;
  }

  expr(): Dim | undefined {
    let acc = this.term();
    while (acc !== undefined && this.peekOp('+', '-')) {
      const op = this.take().value;
      const rhs = this.term();
      if (rhs === undefined) return undefined;
      acc = op === '+' ? dimAdd(acc, rhs) : dimSub(acc, rhs);
    }
    return acc;
  }

  private term(): Dim | undefined {
    let acc = this.factor();
    while (acc !== undefined && this.peekOp('*')) {
      this.take();
      const rhs = this.factor();
      if (rhs === undefined || termCount(acc) * termCount(rhs) > MAX_TERMS) return undefined;
      acc = dimMul(acc, rhs);
    }
    return acc;
  }

  private factor(): Dim | undefined {
    const t = this.tokens[this.at];
    if (t === undefined) return undefined;
    this.at++;
    if (t.kind === 'num') return t.value;
    if (t.kind === 'name') return sym(t.value);
    if (t.value === '-') {
      const inner = this.factor();
      return inner === undefined ? undefined : dimMul(inner, -1);
    }
    if (t.value !== '(') return undefined;
    const inner = this.expr();
    if (inner === undefined || !this.peekOp(')')) return undefined;
    this.take();
    return inner;
  }

  private peekOp(...ops: string[]): boolean {
    const t = this.tokens[this.at];
    return t !== undefined && t.kind === 'op' && ops.includes(t.value);
  }

  private take(): Token {
    return this.tokens[this.at++] as Token;
  }
}

function termCount(d: Dim): number {
  return typeof d === 'number' ? 1 : d.poly.size;
}
