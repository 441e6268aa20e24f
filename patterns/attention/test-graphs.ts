// Attention clusters as the exporters write them, built small for the rule tests: every
// way of writing kᵀ, the scale and the masks, with optional repeat_kv, casts and NaN guard.
// The same case builds in any dtype, so a float64 build is the reference for the others.
import type { DType } from '../../ir/dtype.js';
import { GraphBuilder } from '../../ir/builder.js';
import type { Graph } from '../../ir/graph.js';
import { makeTensor } from '../../ir/tensor.js';

export interface AttentionCase {
  readonly batch: number;
  readonly heads: number;
  /** kv heads = heads / group; group > 1 writes HF's repeat_kv in front of k and v. */
  readonly group: number;
  readonly qSeq: number;
  readonly kvSeq: number;
  readonly headDim: number;
  readonly valueDim: number;
}

export interface ClusterStyle {
  /** kᵀ: Transpose(k), Transpose of the [b, s, h, d] view, or sdpa's flatten-transpose-unflatten. */
  readonly key: 'transpose' | 'view' | 'flattened';
  /** Where the scale sits: on q·kᵀ (Mul, Div), on q and kᵀ each, before the mask was added, or nowhere. */
  readonly scale: 'mul' | 'div' | 'split' | 'mask-then-mul' | 'mask-then-div' | 'none';
  /** The scale value (a Div divides by 1/value, so every style computes the same function). */
  readonly scaleValue: number;
  /** Additive terms after scaling: none, a mask, or T5's bias then mask. */
  readonly masks: 0 | 1 | 2;
  /** sdpa's Where(IsNaN(p), 0, p) after the softmax. */
  readonly guard?: boolean;
  /** An fp32 Cast pair around the softmax (for float16 graphs). */
  readonly upcast?: boolean;
  /** Scale constant shape (a non-scalar one must not fuse). */
  readonly scaleShape?: readonly number[];
  readonly maskShape?: readonly number[];
  /** Build the mask in the graph as Where(keep, 0, dropped) from a bool input 'keep', as HF does. */
  readonly maskFromKeep?: { readonly dropped: number };
}

/** Graph inputs of a case: q, k or kView, v, and mask / bias by the style. */
export function inputShapes(c: AttentionCase, s: ClusterStyle): Map<string, number[]> {
  const kvHeads = c.heads / c.group;
  const shapes = new Map<string, number[]>([['q', [c.batch, c.heads, c.qSeq, c.headDim]]]);
  shapes.set(s.key === 'view' ? 'kView' : 'k', s.key === 'view' ? [c.batch, c.kvSeq, kvHeads, c.headDim] : [c.batch, kvHeads, c.kvSeq, c.headDim]);
  shapes.set('v', [c.batch, kvHeads, c.kvSeq, c.valueDim]);
  if (s.masks === 2) shapes.set('bias', [1, c.heads, c.qSeq, c.kvSeq]);
  if (s.masks >= 1) shapes.set(s.maskFromKeep ? 'keep' : 'mask', [...(s.maskShape ?? [c.batch, 1, 1, c.kvSeq])]);
  return shapes;
}

/** The eager / sdpa cluster for a case and style, in one dtype. */
export function attentionCluster(c: AttentionCase, s: ClusterStyle, dtype: DType = 'float32', constantsAs: DType = dtype): Graph {
  const b = new GraphBuilder('attention-cluster');
  const shapes = inputShapes(c, s);
  for (const [name, shape] of shapes) b.input(name, name === 'keep' ? 'bool' : dtype, shape);
  // Constants hold what `constantsAs` can hold, so that a float64 build computes what a float16 one means.
  const scalar = (name: string, v: number) => b.initializer(name, makeTensor(dtype, s.scaleShape ?? [], Array(size(s.scaleShape ?? [])).fill(roundAs(constantsAs, v))));
  const int64 = (name: string, v: number[]) => b.initializer(name, makeTensor('int64', [v.length], v));

  if (s.maskFromKeep && s.masks >= 1) {
    const kept = b.initializer('kept', makeTensor(dtype, [], [0]));
    b.node('Where', ['keep', kept, b.initializer('dropped', makeTensor(dtype, [], [s.maskFromKeep.dropped]))], {}, { name: 'mask_where', outputs: ['mask'] });
  }
  let k = shapes.has('k') ? 'k' : '';
  let v = 'v';
  if (c.group > 1) [k, v] = [repeatKv(b, k, c, 'k'), repeatKv(b, v, { ...c, headDim: c.valueDim }, 'v')];
  let kT: string;
  if (s.key === 'view') [kT] = b.node('Transpose', ['kView'], { perm: [0, 2, 3, 1] }, { name: 'k_t' }) as [string];
  else if (s.key === 'transpose') [kT] = b.node('Transpose', [k], { perm: [0, 1, 3, 2] }, { name: 'k_t' }) as [string];
  else kT = flattenedTranspose(b, k, c, int64);

  let [q, kFactor] = ['q', kT];
  if (s.scale === 'split') {
    const root = Math.sqrt(s.scaleValue);
    [q] = b.node('Mul', ['q', scalar('q_scale', root)], {}, { name: 'q_mul' }) as [string];
    [kFactor] = b.node('Mul', [kT, scalar('k_scale', root)], {}, { name: 'k_mul' }) as [string];
  }
  let [x] = b.node('MatMul', [q, kFactor], {}, { name: 'qk' }) as [string];
  const applyScale = (input: string) => {
    const div = s.scale === 'div' || s.scale === 'mask-then-div';
    return b.node(div ? 'Div' : 'Mul', [input, scalar('scale', div ? 1 / s.scaleValue : s.scaleValue)], {}, { name: 'scale_op' })[0]!;
  };
  if (s.scale === 'mask-then-mul' || s.scale === 'mask-then-div') {
    [x] = b.node('Add', [x, 'mask'], {}, { name: 'mask_add' }) as [string];
    x = applyScale(x);
  } else {
    if (s.scale === 'mul' || s.scale === 'div') x = applyScale(x);
    if (s.masks === 2) [x] = b.node('Add', [x, 'bias'], {}, { name: 'bias_add' }) as [string];
    if (s.masks >= 1) [x] = b.node('Add', ['mask', x], {}, { name: 'mask_add' }) as [string];
  }
  if (s.upcast) [x] = b.node('Cast', [x], { to: 1 }, { name: 'cast_up' }) as [string];
  let [p] = b.node('Softmax', [x], { axis: -1 }, { name: 'softmax' }) as [string];
  if (s.upcast) [p] = b.node('Cast', [p], { to: dtypeCode(dtype) }, { name: 'cast_back' }) as [string];
  if (s.guard) {
    const [nan] = b.node('IsNaN', [p], {}, { name: 'is_nan' });
    [p] = b.node('Where', [nan!, b.initializer('nan_fill', makeTensor(dtype, [], [0])), p], {}, { name: 'nan_guard' }) as [string];
  }
  const [out] = b.node('MatMul', [p, v], {}, { name: 'pv' });
  b.output(out!);
  return b.build();
}

/** A value as a dtype holds it. */
export function roundAs(dtype: DType, v: number): number {
  return makeTensor(dtype, [], [v]).data[0]!;
}

const size = (shape: readonly number[]) => shape.reduce((a, d) => a * d, 1);

/** ONNX TensorProto data type codes for the dtypes these tests cast back to. */
function dtypeCode(dtype: DType): number {
  return { float32: 1, float16: 10, float64: 11, bfloat16: 16 }[dtype as 'float32'] ?? 1;
}

/** HF's repeat_kv: [b, kvh, s, d] -> Unsqueeze(2) -> Expand [b, kvh, g, s, d] -> Reshape [b, kvh*g, s, d]. */
function repeatKv(b: GraphBuilder, x: string, c: AttentionCase, prefix: string): string {
  const kvHeads = c.heads / c.group;
  const axes = b.initializer(`${prefix}_axes`, makeTensor('int64', [1], [2]));
  const [u] = b.node('Unsqueeze', [x, axes], {}, { name: `${prefix}_unsqueeze` });
  const to = b.initializer(`${prefix}_expand_to`, makeTensor('int64', [5], [1, kvHeads, c.group, 1, c.headDim]));
  const [e] = b.node('Expand', [u!, to], {}, { name: `${prefix}_expand` });
  const merged = b.initializer(`${prefix}_merged`, makeTensor('int64', [4], [0, c.heads, -1, c.headDim]));
  return b.node('Reshape', [e!, merged], {}, { name: `${prefix}_repeat` })[0]!;
}

/** torch's sdpa kᵀ: Reshape(k, [-1, s, d]) -> Transpose(0, 2, 1) -> Reshape(Shape(k)[:-2] ++ [d] ++ Shape(k)[-2:-1]). */
function flattenedTranspose(b: GraphBuilder, k: string, c: AttentionCase, int64: (n: string, v: number[]) => string): string {
  const [shape] = b.node('Shape', [k], {}, { name: 'k_shape' });
  const [seq] = b.node('Slice', [shape!, int64('minus2', [-2]), int64('minus1', [-1])], {}, { name: 'k_seq' });
  const [lead] = b.node('Slice', [shape!, int64('int64_min', [-9223372036854775808]), int64('minus2b', [-2])], {}, { name: 'k_lead' });
  const headDim = int64('head_dim', [c.headDim]);
  const [flatShape] = b.node('Concat', [int64('minus1b', [-1]), seq!, headDim], { axis: 0 }, { name: 'flat_shape' });
  const [flat] = b.node('Reshape', [k, flatShape!], {}, { name: 'k_flat' });
  const [t] = b.node('Transpose', [flat!], { perm: [0, 2, 1] }, { name: 'k_flat_t' });
  const [backShape] = b.node('Concat', [lead!, headDim, seq!], { axis: 0 }, { name: 'unflat_shape' });
  return b.node('Reshape', [t!, backShape!], {}, { name: 'k_unflat' })[0]!;
}
