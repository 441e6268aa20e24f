// Small transformer layers in optimized (fused) form, for the sharding tests: every
// variant the pass must handle on a scale where a wrong slice cannot hide: nonzero
// biases and residuals, explicit head counts in Reshape targets, packed or separate
// q/k/v projections, grouped-query heads, a per-head mask, GELU MLP or SwiGLU.
import { type Graph, SOLDER_DOMAIN } from '../../ir/graph.js';
import { GraphBuilder } from '../../ir/builder.js';
import { type Tensor, makeTensor } from '../../ir/tensor.js';

export interface LayerShape {
  readonly qHeads: number;
  readonly kvHeads: number;
  readonly headSize: number;
  /** One Linear computing q|k|v and a Split, or three Linears. */
  readonly packed: boolean;
  /** Reshape targets write the head count ([0, 0, H, d]) rather than -1. */
  readonly explicitHeads: boolean;
  /** An additive mask input of shape [1, qHeads, seq, seq]. */
  readonly perHeadMask: boolean;
  /** Linear[gelu], Linear then a separate Relu node, or GatedMLP. */
  readonly mlp: 'gelu' | 'relu-node' | 'gated';
  readonly seed: number;
}

export const SEQ = 5;
export const BATCH = 2;

/** Values in [-scale, scale) from a fixed seed (mulberry32): never all zero. */
export function seededTensor(shape: readonly number[], seed: number, scale = 1): Tensor {
  let a = seed >>> 0;
  const count = shape.reduce((x, y) => x * y, 1);
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    values.push(((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale);
  }
  return makeTensor('float32', shape, values);
}

/** One attention block and one MLP block, both with residuals, as optimize() leaves them. */
export function transformerLayer(s: LayerShape): Graph {
  const b = new GraphBuilder('layer');
  const hidden = s.qHeads * s.headSize;
  const kvWidth = s.kvHeads * s.headSize;
  let seed = s.seed;
  // Scaled like a trained layer's init, so that activations stay near 1 and float32 rounding small.
  const weight = (name: string, shape: number[]) => b.initializer(name, seededTensor(shape, seed++, 1 / Math.sqrt(shape[0] as number)));
  const fused = { domain: SOLDER_DOMAIN };
  const x = b.input('x', 'float32', ['batch', 'seq', hidden]);
  const ints = (name: string, values: number[]) => b.initializer(name, makeTensor('int64', [values.length], values));

  let q: string, k: string, v: string;
  if (s.packed) {
    const width = hidden + 2 * kvWidth;
    const [qkv] = b.node('Linear', [x, weight('w_qkv', [hidden, width]), weight('b_qkv', [width])], {}, fused);
    [q, k, v] = b.node('Split', [qkv as string, ints('qkv_split', [hidden, kvWidth, kvWidth])], { axis: -1 }, { outputs: 3 }) as [string, string, string];
  } else {
    [q] = b.node('Linear', [x, weight('w_q', [hidden, hidden]), weight('b_q', [hidden])], {}, fused) as [string];
    [k] = b.node('Linear', [x, weight('w_k', [hidden, kvWidth])], {}, fused) as [string];
    [v] = b.node('Linear', [x, weight('w_v', [hidden, kvWidth]), weight('b_v', [kvWidth])], {}, fused) as [string];
  }
  const heads = (value: string, count: number, name: string) => {
    const target = ints(`${name}_shape`, [0, 0, s.explicitHeads ? count : -1, s.headSize]);
    const [split] = b.node('Reshape', [value, target], {}, { name: `${name}_view` });
    return b.node('Transpose', [split as string], { perm: [0, 2, 1, 3] }, { name: `${name}_heads` })[0] as string;
  };
  const attentionInputs = [heads(q, s.qHeads, 'q'), heads(k, s.kvHeads, 'k'), heads(v, s.kvHeads, 'v')];
  if (s.perHeadMask) attentionInputs.push(b.input('mask', 'float32', [1, s.qHeads, 'seq', 'seq']));
  const [att] = b.node('Attention', attentionInputs, { scale: 1 / Math.sqrt(s.headSize) }, { ...fused, name: 'attention' });
  const [merged] = b.node('Transpose', [att as string], { perm: [0, 2, 1, 3] });
  const [flat] = b.node('Reshape', [merged as string, ints('merge_shape', [0, 0, s.explicitHeads ? hidden : -1])], {}, { name: 'merge_heads' });
  const [attended] = b.node('Linear', [flat as string, weight('w_o', [hidden, hidden]), weight('b_o', [hidden]), x], {}, { ...fused, name: 'o_proj' });

  const inner = 2 * hidden;
  let up: string;
  if (s.mlp === 'gated') {
    [up] = b.node('GatedMLP', [attended as string, weight('w_gate', [hidden, inner]), weight('w_up', [hidden, inner])], { activation: 'silu' }, fused) as [string];
  } else {
    const activation = s.mlp === 'gelu' ? 'gelu' : 'none';
    [up] = b.node('Linear', [attended as string, weight('w_fc', [hidden, inner]), weight('b_fc', [inner])], { activation }, fused) as [string];
    if (s.mlp === 'relu-node') [up] = b.node('Relu', [up]) as [string];
  }
  const [out] = b.node('Linear', [up, weight('w_down', [inner, hidden]), weight('b_down', [hidden]), attended as string], {}, { ...fused, name: 'down_proj' });
  return b.output(out as string).build();
}

/** Inputs for a transformerLayer graph. */
export function layerFeeds(s: LayerShape): Map<string, Tensor> {
  const feeds = new Map([['x', seededTensor([BATCH, SEQ, s.qHeads * s.headSize], s.seed + 1000)]]);
  if (s.perHeadMask) feeds.set('mask', seededTensor([1, s.qHeads, SEQ, SEQ], s.seed + 2000));
  return feeds;
}
