// Lowering of RotaryEmbedding to ONNX RotaryEmbedding (opset 23), which ONNX Runtime's CPU
// provider runs on x [batch, heads, seq, head_dim] with caches [batch, seq, R/2] when no
// position_ids are given. solder's tables hold R values per position, duplicated for their
// pairing (the op's documented contract): [c0..c(R/2-1), c0..] for rotate_half, [c0, c0,
// c1, c1, ..] when interleaved; ONNX's hold each value once, so the first half (or every
// second entry) is sliced out. Tables are brought to [batch, seq, R] first: [seq, R]
// gains a batch dim, [b, 1, seq, R] loses its heads dim, and both are expanded to x's batch.
// Per-head tables ([b, heads > 1, seq, R]) have no ONNX form; the node stays.
import { isKnown } from '../../ir/dim.js';
import { RotaryEmbedding } from '../../ir/ops/fused/rotary.js';
import { readAttrs } from '../../ir/ops/spec.js';
import { type LoweringContext, inputType, requiredName } from './context.js';

const ROTARY_OPSET = 23;

export function lowerRotaryEmbedding(ctx: LoweringContext): string | undefined {
  const { interleaved, rotary_dim } = readAttrs(RotaryEmbedding, ctx.node);
  const xShape = inputType(ctx, 0)?.shape;
  const headDim = xShape?.length === 4 ? xShape[3]! : undefined;
  const width = rotary_dim === 0 ? headDim : rotary_dim;
  if (width === undefined || !isKnown(width)) return undefined;
  const x = requiredName(ctx.node, 0);
  const tables: string[] = [];
  for (const i of [1, 2]) {
    const table = halfTable(ctx, i, x, width, interleaved === 1);
    if (table === undefined) return undefined;
    tables.push(table);
  }
  const partial = headDim !== undefined && isKnown(headDim) && width < headDim;
  ctx.emit.node('RotaryEmbedding', [x, ...tables], { interleaved, rotary_embedding_dim: partial ? width : 0 }, {
    outputs: [ctx.node.outputs[0]!],
    opset: ROTARY_OPSET,
  });
  return interleaved === 1 ? 'RotaryEmbedding(interleaved)' : 'RotaryEmbedding';
}

/** Table input i as ONNX's [batch, seq, R/2] cache, or undefined when it has per-head rows. */
function halfTable(ctx: LoweringContext, i: number, x: string, width: number, interleaved: boolean): string | undefined {
  const { emit } = ctx;
  const shape = inputType(ctx, i)?.shape;
  if (shape === undefined || shape.length < 2 || shape.length > 4) return undefined;
  let table = requiredName(ctx.node, i);
  if (shape.length === 2) table = emit.one('Unsqueeze', [table, emit.int64('axis0', [0])]);
  if (shape.length === 4) {
    if (shape[1] !== 1) return undefined;
    table = emit.one('Squeeze', [table, emit.int64('axis1', [1])]);
  }
  const half = interleaved
    ? emit.one('Slice', [table, emit.int64('start', [0]), emit.int64('end', [width]), emit.int64('axis', [2]), emit.int64('step', [2])])
    : emit.one('Slice', [table, emit.int64('start', [0]), emit.int64('end', [width / 2]), emit.int64('axis', [2])]);
  // [b or 1, seq, R/2] -> [batch, seq, R/2]: Expand broadcasts against [batch, 1, 1].
  const batch = emit.one('Shape', [x], { start: 0, end: 1 });
  const target = emit.one('Concat', [batch, emit.int64('ones', [1, 1])], { axis: 0 });
  return emit.one('Expand', [half, target]);
}
