// HF's mask-building subgraphs built small, in front of a solder::Attention, for the
// padding-causal-mask tests: the dynamo spelling (Range/Unsqueeze/Expand/Concat/GatherND)
// and the TorchScript one (a flat index Gather over Flatten), with symbolic batch and seq so
// that the rule has to prove what it rewrites for every size.
import { GraphBuilder } from '../../ir/builder.js';
import type { DType } from '../../ir/dtype.js';
import { type Graph, SOLDER_DOMAIN } from '../../ir/graph.js';
import { makeTensor } from '../../ir/tensor.js';

export interface MaskCase {
  readonly heads: number;
  /** kv heads = heads / group. */
  readonly group: number;
  readonly headDim: number;
  /** HF's causal band `kv_idx <= q_idx` on top of the padding. */
  readonly causal: boolean;
  /** A bool keep-mask (sdpa), or Where(keep, 0, fill) with this fill (eager: finfo.min). */
  readonly fill: 'bool' | number;
  readonly spelling: 'gathernd' | 'flat-gather';
  /** A band that is not HF's (keys at or after the query), which must not become causal. */
  readonly reversedBand?: boolean;
}

/** Attention(q, k, v, HF mask(attention_mask)) over [batch, heads, seq, head_dim], in `dtype`. */
export function hfMaskedAttention(c: MaskCase, dtype: DType): Graph {
  const b = new GraphBuilder('hf-mask');
  const kvHeads = c.heads / c.group;
  b.input('q', dtype, ['batch', c.heads, 'seq', c.headDim]);
  b.input('k', dtype, ['batch', kvHeads, 'seq', c.headDim]);
  b.input('v', dtype, ['batch', kvHeads, 'seq', c.headDim]);
  b.input('attention_mask', 'int64', ['batch', 'seq']);
  const ints = (name: string, v: number[], shape = [v.length]) => b.initializer(name, makeTensor('int64', shape, v));
  const one = (op: string, inputs: string[], attrs = {}) => b.node(op, inputs, attrs)[0]!;
  const [zero, step] = [ints('zero', [0], []), ints('step', [1], [])];
  const arange = (axis: number) => {
    const n = one('Squeeze', [one('Shape', ['attention_mask'], { start: axis, end: axis + 1 }), ints(`sq${axis}`, [0])]);
    return one('Range', [zero, n, step]);
  };
  const [batchIdx, seqIdx] = [arange(0), arange(1)];
  const kvIdx = one('Unsqueeze', [seqIdx, ints('kv_axes', [0, 1, 2])]);
  const qIdx = one('Unsqueeze', [seqIdx, ints('q_axes', [0, 1, 3])]);
  const band = c.causal ? one('LessOrEqual', c.reversedBand === true ? [qIdx, kvIdx] : [kvIdx, qIdx]) : one('GreaterOrEqual', [qIdx, zero]);
  const rowIdx = one('Unsqueeze', [batchIdx, ints('b_axes', [1, 2, 3])]);
  const keepAm = one('Cast', ['attention_mask'], { to: 9 });
  let padding: string;
  if (c.spelling === 'gathernd') {
    const shape = one('Shape', [one('Max', [rowIdx, kvIdx])]);
    const last = ints('last', [-1]);
    const tuple = one('Concat', [one('Unsqueeze', [one('Expand', [rowIdx, shape]), last]), one('Unsqueeze', [one('Expand', [kvIdx, shape]), last])], { axis: -1 });
    padding = one('GatherND', [keepAm, tuple]);
  } else {
    const flatIdx = one('Add', [kvIdx, one('Mul', [rowIdx, one('Shape', ['attention_mask'], { start: 1, end: 2 })])]);
    const gathered = one('Gather', [one('Flatten', [keepAm], { axis: 2 }), flatIdx], { axis: 0 });
    padding = one('Reshape', [one('Reshape', [gathered, ints('flat', [-1])]), one('Shape', [flatIdx])]);
  }
  const keep = one('And', [band, padding]);
  const scalar = (name: string, x: number) => b.initializer(name, makeTensor(dtype, [], [x]));
  const mask = c.fill === 'bool' ? keep : one('Where', [keep, scalar('kept', 0), scalar('fill', c.fill)]);
  const [out] = b.node('Attention', ['q', 'k', 'v', mask], { scale: 1 / Math.sqrt(c.headDim), causal: 0 }, { name: 'attn', domain: SOLDER_DOMAIN });
  b.output(out!);
  return b.build();
}
