// Einsum equations: parsing ('bij,bjk->bik', '...ii->...i', implicit outputs) and
// labelling every operand dim, with ellipsis dims named by their right-aligned position.
import type { Node } from '../graph.js';
import { opError } from './shape-util.js';

/** One operand term: its letters, and where the ellipsis sits (-1 when absent). */
interface Term {
  readonly letters: readonly string[];
  readonly ellipsisAt: number;
}

export interface ParsedEquation {
  readonly inputs: readonly Term[];
  /** undefined for the implicit form (no '->'). */
  readonly output: Term | undefined;
}

/** Labels of each operand's dims and of the output's: letters, or '.k' for the k-th ellipsis dim (right-aligned). */
export interface LabelledEquation {
  readonly inputs: readonly (readonly string[])[];
  readonly output: readonly string[];
}

function parseTerm(node: Node, text: string): Term {
  const letters: string[] = [];
  let ellipsisAt = -1;
  for (let i = 0; i < text.length; ) {
    if (text.startsWith('...', i)) {
      if (ellipsisAt >= 0) throw opError(node, `equation term '${text}' has two ellipses`);
      ellipsisAt = letters.length;
      i += 3;
      continue;
    }
    const ch = text[i]!;
    if (!/[A-Za-z]/.test(ch)) throw opError(node, `equation term '${text}' has '${ch}'; only letters and '...' are allowed`);
    letters.push(ch);
    i++;
  }
  return { letters, ellipsisAt };
}

/** Parses an einsum equation (spaces ignored). */
export function parseEquation(node: Node, equation: string): ParsedEquation {
  const text = equation.replace(/\s+/g, '');
  const parts = text.split('->');
  if (parts.length > 2) throw opError(node, `equation '${equation}' has more than one '->'`);
  const inputs = parts[0]!.split(',').map((t) => parseTerm(node, t));
  return { inputs, output: parts.length === 2 ? parseTerm(node, parts[1]!) : undefined };
}

function ellipsisLabels(count: number, total: number): string[] {
  return Array.from({ length: count }, (_, i) => `.${total - count + i}`);
}

function expandTerm(node: Node, term: Term, rank: number | undefined, ellipsisRank: number, what: string): string[] {
  if (term.ellipsisAt < 0) {
    if (rank !== undefined && rank !== term.letters.length) throw opError(node, `${what} has rank ${rank}, the equation gives it ${term.letters.length} dims`);
    return [...term.letters];
  }
  const count = rank === undefined ? ellipsisRank : rank - term.letters.length;
  if (count < 0) throw opError(node, `${what} has rank ${rank}, fewer than the ${term.letters.length} letters the equation gives it`);
  const before = term.letters.slice(0, term.ellipsisAt);
  const after = term.letters.slice(term.ellipsisAt);
  return [...before, ...ellipsisLabels(count, ellipsisRank), ...after];
}

/** Labels every dim given the operand ranks; undefined when an operand with an ellipsis has unknown rank. */
export function labelEquation(node: Node, eq: ParsedEquation, ranks: readonly (number | undefined)[]): LabelledEquation | undefined {
  if (ranks.length !== eq.inputs.length) throw opError(node, `equation has ${eq.inputs.length} operands, the node has ${ranks.length} inputs`);
  if (eq.inputs.some((t, i) => t.ellipsisAt >= 0 && ranks[i] === undefined)) return undefined;
  const ellipsisRank = Math.max(0, ...eq.inputs.map((t, i) => (t.ellipsisAt >= 0 ? ranks[i]! - t.letters.length : 0)));
  const inputs = eq.inputs.map((t, i) => expandTerm(node, t, ranks[i], ellipsisRank, `input ${i}`));
  const letters = inputs.flat().filter((l) => !l.startsWith('.'));
  let output: string[];
  if (eq.output === undefined) {
    // Implicit form: the ellipsis dims, then the letters used exactly once, sorted.
    const once = [...new Set(letters)].filter((l) => letters.indexOf(l) === letters.lastIndexOf(l)).sort();
    output = [...ellipsisLabels(ellipsisRank, ellipsisRank), ...once];
  } else {
    if (eq.output.ellipsisAt < 0 && ellipsisRank > 0 && eq.inputs.some((t) => t.ellipsisAt >= 0)) {
      // numpy allows summing ellipsis dims away only when they are empty; ONNX follows it.
      throw opError(node, "the output term must keep '...' when the inputs' ellipsis covers dims");
    }
    output = expandTerm(node, eq.output, undefined, ellipsisRank, 'output');
    for (const l of output) {
      if (!l.startsWith('.') && !letters.includes(l)) throw opError(node, `output letter '${l}' does not appear in any input`);
    }
    if (new Set(output).size !== output.length) throw opError(node, 'the output term repeats a letter');
  }
  return { inputs, output };
}
