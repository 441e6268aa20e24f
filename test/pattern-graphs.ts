// Small graphs the rewrite-engine tests build: the eager attention cluster, erf GELU in any
// operand order, and a linear layer with a GELU on top.
import type { DType } from '../ir/dtype.js';
import { GraphBuilder } from '../ir/builder.js';
import type { Graph } from '../ir/graph.js';
import { makeTensor } from '../ir/tensor.js';

export interface AttentionShape {
  readonly batch: number;
  readonly heads: number;
  readonly qSeq: number;
  readonly kvSeq: number;
  readonly headDim: number;
  readonly valueDim: number;
}

export interface EagerOptions {
  readonly scale: number;
  /** Where the scale lives: an initializer, or a Constant node. */
  readonly scaleAs?: 'initializer' | 'constant';
  /** Write the commutative Mul and Add with their operands swapped. */
  readonly swapMul?: boolean;
  readonly swapAdd?: boolean;
  readonly dtype?: DType;
  /** Also expose the softmax probabilities as a graph output (an outside user of an intermediate). */
  readonly exposeProbs?: boolean;
  /** Use symbols for batch and sequence dims instead of the concrete sizes. */
  readonly symbolic?: boolean;
  /** The mask's shape; default [batch, 1, 1, kv_seq]. */
  readonly maskShape?: readonly (number | string)[];
}

/** Softmax(MatMul(q, Transpose(k)) * scale + mask) @ v with a [batch, 1, 1, kv_seq] additive mask. */
export function eagerAttention(s: AttentionShape, o: EagerOptions): Graph {
  const dtype = o.dtype ?? 'float32';
  const b = new GraphBuilder('eager-attention');
  const [batch, qSeq, kvSeq] = o.symbolic ? ['batch', 'q_seq', 'kv_seq'] : [s.batch, s.qSeq, s.kvSeq];
  const q = b.input('q', dtype, [batch, s.heads, qSeq, s.headDim]);
  const k = b.input('k', dtype, [batch, s.heads, kvSeq, s.headDim]);
  const v = b.input('v', dtype, [batch, s.heads, kvSeq, s.valueDim]);
  const mask = b.input('mask', dtype, o.maskShape ?? [batch, 1, 1, kvSeq]);
  const scaleTensor = makeTensor(dtype, [], [o.scale]);
  const scale = o.scaleAs === 'constant'
    ? b.node('Constant', [], { value: scaleTensor }, { name: 'scale_const' })[0]!
    : b.initializer('scale', scaleTensor);
  const [kT] = b.node('Transpose', [k], { perm: [0, 1, 3, 2] }, { name: 'k_t' });
  const [scores] = b.node('MatMul', [q, kT!], {}, { name: 'qk' });
  const [scaled] = b.node('Mul', o.swapMul ? [scale, scores!] : [scores!, scale], {}, { name: 'scale_mul' });
  const [masked] = b.node('Add', o.swapAdd ? [mask, scaled!] : [scaled!, mask], {}, { name: 'mask_add' });
  const [probs] = b.node('Softmax', [masked!], { axis: -1 }, { name: 'softmax' });
  const [out] = b.node('MatMul', [probs!, v], {}, { name: 'pv' });
  b.output(out!);
  if (o.exposeProbs) b.output(probs!);
  return b.build();
}

/** Which operands of erf GELU's three commutative ops come first. */
export interface GeluOrder {
  readonly outerSwap: boolean;
  readonly innerSwap: boolean;
  readonly addSwap: boolean;
}

/** x * (Erf(x / sqrt2) + 1) * 0.5 as torch.onnx writes it, in the given operand orders, feeding `next` when given. */
export function addGelu(b: GraphBuilder, x: string, order: GeluOrder, prefix: string, sqrt2 = Math.SQRT2): string {
  const c = (name: string, v: number) => b.initializer(`${prefix}${name}`, makeTensor('float32', [], [v]));
  const [scaled] = b.node('Div', [x, c('sqrt2', sqrt2)], {}, { name: `${prefix}div` });
  const [erf] = b.node('Erf', [scaled!], {}, { name: `${prefix}erf` });
  const one = c('one', 1);
  const [plus] = b.node('Add', order.addSwap ? [one, erf!] : [erf!, one], {}, { name: `${prefix}add` });
  const [inner] = b.node('Mul', order.innerSwap ? [plus!, x] : [x, plus!], {}, { name: `${prefix}mul` });
  const half = c('half', 0.5);
  const [outer] = b.node('Mul', order.outerSwap ? [half, inner!] : [inner!, half], {}, { name: `${prefix}mul_half` });
  return outer!;
}

/** Gelu(x @ W + b) for x [batch, k], every op separate. */
export function linearGelu(k: number, n: number, values: (seed: number, count: number) => number[]): Graph {
  const b = new GraphBuilder('linear-gelu');
  const x = b.input('x', 'float32', ['batch', k]);
  const w = b.initializer('w', makeTensor('float32', [k, n], values(1, k * n)));
  const bias = b.initializer('bias', makeTensor('float32', [n], values(2, n)));
  const [mm] = b.node('MatMul', [x, w], {}, { name: 'fc_matmul' });
  const [biased] = b.node('Add', [mm!, bias], {}, { name: 'fc_add' });
  b.output(addGelu(b, biased!, { outerSwap: false, innerSwap: false, addSwap: false }, 'gelu_'));
  return b.build();
}
