// Pieces the linear rules share: the canonical solder::Linear pattern, and the shape facts
// a bias or a residual must satisfy before it can move into a Linear.
import type { P } from 'ts-pattern';
import { type Dim, dimEq, isKnown } from '../../ir/dim.js';
import { SOLDER_DOMAIN } from '../../ir/graph.js';
import { shapeString } from '../../ir/ops/shape-util.js';
import { type Tensor, makeTensor } from '../../ir/tensor.js';
import { shapeEq } from '../../ir/types.js';
import { absent, capture, maybe, node, opIn, type OpPattern, type Pattern } from '../pattern.js';
import type { CheckOutcome, Match } from '../rule.js';
import type { GraphView } from '../working-graph.js';

export interface LinearCaptures {
  /** Binds the Linear node itself. */
  readonly node: string;
  readonly x: string;
  readonly w: string;
  readonly b: string;
}

export const LINEAR: LinearCaptures = { node: 'linear', x: 'x', w: 'w', b: 'b' };

/** Linear(x, W, b?) with no residual yet and the given activation (a ts-pattern pattern); `x` may constrain x's producer. */
export function linearNode(activation: P.Pattern<unknown>, c: LinearCaptures = LINEAR, x?: Pattern): OpPattern {
  return node(c.node, opIn(SOLDER_DOMAIN, 'Linear', capture(c.x, x), capture(c.w), maybe(capture(c.b)), absent(), { activation }));
}

/** Node inputs without trailing absent ones ('' in the middle keeps its place). */
export function trimmed(inputs: readonly string[]): string[] {
  let end = inputs.length;
  while (end > 0 && inputs[end - 1] === '') end--;
  return inputs.slice(0, end);
}

/** The matched Linear's inputs as a new node lists them, with a residual when given. */
export function linearInputs(m: Match, residual = '', c: LinearCaptures = LINEAR): string[] {
  return trimmed([m.value(c.x), m.value(c.w), m.value(c.b), residual]);
}

/** A binary op's output has its operand's shape: the other operand broadcasts without growing it. */
export function keepsShape(before: readonly Dim[] | undefined, after: readonly Dim[] | undefined): CheckOutcome {
  if (before === undefined || after === undefined) return 'a shape is unknown';
  return shapeEq(before, after) || { found: shapeString(after), expected: shapeString(before) };
}

/** The N dim (last) of a value's type, when known. */
export function lastDim(g: GraphView, value: string): Dim | undefined {
  const shape = g.typeOf(value)?.shape;
  return shape === undefined || shape.length === 0 ? undefined : shape[shape.length - 1];
}

/**
 * Whether a constant can serve as the [N] bias of an N-wide projection: [N], or N values
 * with leading 1s ([1, 1, N]), or one value broadcast over N. Returns why not otherwise.
 */
export function biasFits(t: Tensor, n: Dim | undefined): true | string {
  if (n === undefined || !isKnown(n)) return 'the output width N is unknown';
  const lead = t.shape.slice(0, -1);
  const last = t.shape[t.shape.length - 1] ?? 1;
  if (lead.every((d) => d === 1) && (last === n || last === 1)) return true;
  return `constant [${t.shape.join(', ')}] is not a bias of width ${n}`;
}

/** A fitting bias constant as a new [N] tensor, times `scale` (one value is spread over N). */
export function biasVector(t: Tensor, n: number, scale = 1): Tensor {
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = scale * t.data[t.data.length === 1 ? 0 : i]!;
  return makeTensor(t.dtype, [n], values);
}

/** Whether a bias constant can be passed to Linear unchanged. */
export function isPlainBias(t: Tensor, n: number, scale = 1): boolean {
  return scale === 1 && t.shape.length === 1 && t.shape[0] === n;
}

/** Two dims that are the same size or symbol. */
export function sameDim(a: Dim | undefined, b: Dim | undefined): boolean {
  return a !== undefined && b !== undefined && dimEq(a, b);
}
