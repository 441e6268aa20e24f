// Reshape targets that exporters compute at run time (Concat of Slices of Shape(x) and
// constants) read as dims, so that a rule can tell what a Reshape does without folding.
import { type Dim, dimEq } from '../../ir/dim.js';
import type { Node } from '../../ir/graph.js';
import type { GraphView } from '../working-graph.js';

/** The dims a 1-D int64 value holds: constants as numbers (-1 and 0 kept), Shape(x) parts as x's dims. */
export function shapeVector(g: GraphView, value: string): Dim[] | undefined {
  const t = g.constant(value);
  if (t !== undefined) return t.shape.length === 1 ? Array.from(t.data) : undefined;
  const p = g.producer(value)?.node;
  if (p === undefined || p.domain !== '') return undefined;
  const attrs = g.attrValues(p);
  switch (p.op) {
    case 'Shape': {
      const shape = g.typeOf(p.inputs[0]!)?.shape;
      if (shape === undefined) return undefined;
      const [start, end] = [attrs['start'], attrs['end']];
      return shape.slice(typeof start === 'number' ? start : 0, typeof end === 'number' ? end : shape.length);
    }
    case 'Concat': {
      if (attrs['axis'] !== 0 && attrs['axis'] !== -1) return undefined;
      const parts = p.inputs.map((v) => shapeVector(g, v));
      return parts.every((x) => x !== undefined) ? parts.flat() : undefined;
    }
    case 'Slice': return sliceOf(g, p);
    default: return undefined;
  }
}

/** Slice of a vector along axis 0 with step 1, clamped the way ONNX clamps. */
function sliceOf(g: GraphView, p: Node): Dim[] | undefined {
  const vector = shapeVector(g, p.inputs[0]!);
  const [starts, ends, axes, steps] = [1, 2, 3, 4].map((i) => (p.inputs[i] ? g.constant(p.inputs[i]!) : undefined));
  if (vector === undefined || starts?.data.length !== 1 || ends?.data.length !== 1) return undefined;
  if ((axes !== undefined && axes.data[0] !== 0 && axes.data[0] !== -1) || (steps !== undefined && steps.data[0] !== 1)) return undefined;
  if ((p.inputs[3] && axes === undefined) || (p.inputs[4] && steps === undefined)) return undefined;
  const n = vector.length;
  const clamp = (x: number) => Math.min(Math.max(x < 0 ? x + n : x, 0), n);
  return vector.slice(clamp(starts.data[0]!), clamp(ends.data[0]!));
}

/**
 * Whether Reshape(input, target) yields `wanted`: a 0 copies the input dim (allowzero=0),
 * and one -1 takes whatever is left, which is the wanted dim when every other one matches
 * (wanted has the input's element count by construction).
 */
export function reshapeYields(g: GraphView, reshape: Node, input: readonly Dim[], wanted: readonly Dim[]): true | string {
  const target = shapeVector(g, reshape.inputs[1]!);
  if (target === undefined) return `cannot read the target of '${reshape.name}'`;
  if (target.length !== wanted.length) return `'${reshape.name}' gives rank ${target.length}, expected ${wanted.length}`;
  const copyZero = g.attrValues(reshape)['allowzero'] !== 1;
  let inferred = 0;
  for (let i = 0; i < target.length; i++) {
    const t = target[i]!;
    if (t === -1) {
      inferred++;
      continue;
    }
    const d = t === 0 && copyZero ? input[i] : t;
    if (d === undefined || !dimEq(d, wanted[i]!)) return `'${reshape.name}' dim ${i} is not the wanted one`;
  }
  return inferred <= 1 || `'${reshape.name}' has ${inferred} -1 dims`;
}
