// Shape helpers shared by op specs: broadcasting, axis normalisation, input checks.
import { type Dim, dimEq, dimToString, isKnown } from '../dim.js';
import { SolderError } from '../errors.js';
import type { Node } from '../graph.js';
import type { TensorType } from '../types.js';
import type { InferContext } from './spec.js';

export function opError(node: Node, problem: string): SolderError {
  return new SolderError(problem, { node: node.name, op: node.op });
}

/** Numpy-style multidirectional broadcasting; undefined when any rank is unknown. */
export function broadcastShapes(node: Node, shapes: readonly (readonly Dim[] | undefined)[]): Dim[] | undefined {
  if (shapes.some((s) => s === undefined)) return undefined;
  const known = shapes as readonly (readonly Dim[])[];
  const rank = Math.max(0, ...known.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of known) {
      const e = s[s.length - rank + i];
      if (e === undefined || (isKnown(e) && e === 1)) continue;
      if (isKnown(d) && d === 1) d = e;
      else if (!dimEq(d, e)) {
        // A symbol against a known size: trust the known size (the symbol must equal it or be 1).
        if (!isKnown(d) && isKnown(e)) d = e;
        else if (isKnown(d) && !isKnown(e)) continue;
        else if (!isKnown(d) && !isKnown(e)) continue;
        else throw opError(node, `cannot broadcast shapes ${known.map(shapeString).join(' and ')}`);
      }
    }
    out.push(d);
  }
  return out;
}

export function shapeString(s: readonly Dim[] | undefined): string {
  return s === undefined ? '[?]' : `[${s.map(dimToString).join(', ')}]`;
}

/** An axis in [-rank, rank) made non-negative; a user error naming the node otherwise. */
export function normalizeAxis(node: Node, axis: number, rank: number): number {
  if (axis < -rank || axis >= rank) throw opError(node, `axis ${axis} out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/** The type of input i, which the op requires to be present. */
export function inputType(ctx: InferContext, i: number): TensorType {
  const t = ctx.inputs[i];
  if (t === undefined) throw opError(ctx.node, `input ${i} is required`);
  return t;
}

/** Requires all given inputs to share one dtype, and returns it. */
export function sameDType(ctx: InferContext, indices: readonly number[]): TensorType['dtype'] {
  const first = inputType(ctx, indices[0] ?? 0).dtype;
  for (const i of indices) {
    const t = ctx.inputs[i];
    if (t !== undefined && t.dtype !== first) {
      throw opError(ctx.node, `input ${i} is ${t.dtype}, expected ${first} like input ${indices[0]}`);
    }
  }
  return first;
}
