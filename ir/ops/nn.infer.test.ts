// Shape inference of the nn ops with symbolic dims (batch, seq) and unknown ranks.
import { describe, expect, it } from 'vitest';
import { type AttrValue, intAttr, intsAttr, stringAttr } from '../attrs.js';
import { type Dim, dimToString, sym } from '../dim.js';
import type { DType } from '../dtype.js';
import type { Node } from '../graph.js';
import { findOp, readAttrs } from './spec.js';
import type { TensorType } from '../types.js';
import './index.js';

const [B, S] = [sym('batch'), sym('seq')];

function infer(op: string, inputs: (readonly Dim[] | null | undefined)[], attrs: Record<string, AttrValue> = {}, outputs = 1, dtype: DType = 'float32'): (string | undefined)[] {
  const node: Node = { name: `n_${op}`, op, domain: '', attrs, inputs: inputs.map((t, i) => (t === null ? '' : `in${i}`)), outputs: Array.from({ length: outputs }, (_, i) => `out${i}`) };
  const spec = findOp('', op)!;
  const types: (TensorType | undefined)[] = inputs.map((s) => (s === null ? undefined : s === undefined ? { dtype } : { dtype, shape: s }));
  return spec.infer({ node, inputs: types, attrs: readAttrs(spec, node), constant: () => undefined })
    .slice(0, outputs).map((t) => t.shape && `[${t.shape.map(dimToString).join(', ')}]`);
}

describe('nn shape inference keeps symbolic dims', () => {
  it('MatMul and Gemm', () => {
    expect(infer('MatMul', [[B, S, 64], [64, 256]])).toEqual(['[batch, seq, 256]']);
    expect(infer('MatMul', [[B, 4, S, 16], [B, 4, 16, S]])).toEqual(['[batch, 4, seq, seq]']);
    expect(infer('MatMul', [[64], [B, 64, 8]])).toEqual(['[batch, 8]']);
    expect(infer('MatMul', [undefined, [64, 8]])).toEqual([undefined]);
    expect(infer('Gemm', [[B, 64], [32, 64], [32]], { transB: intAttr(1) })).toEqual(['[batch, 32]']);
  });

  it('Conv and pools', () => {
    expect(infer('Conv', [[B, 3, 32, 32], [8, 3, 4, 4], [8]], { strides: intsAttr([4, 4]) })).toEqual(['[batch, 8, 8, 8]']);
    expect(infer('Conv', [[B, 3, S], [8, 3, 3]], { pads: intsAttr([1, 1]) })).toEqual(['[batch, 8, seq]']);
    expect(infer('Conv', [[B, 4, S], [8, 2, 3]], { group: intAttr(2), auto_pad: stringAttr('SAME_UPPER') })).toEqual(['[batch, 8, seq]']);
    expect(infer('Conv', [[B, 3, S], [8, 3, 3]], { strides: intsAttr([2]) })[0]).toMatch(/^\[batch, 8, n_Conv_s0\]$/);
    expect(infer('MaxPool', [[B, 3, 9, 9]], { kernel_shape: intsAttr([3, 3]), strides: intsAttr([2, 2]) }, 2)).toEqual(['[batch, 3, 4, 4]', '[batch, 3, 4, 4]']);
    expect(infer('GlobalAveragePool', [[B, 3, S, S]])).toEqual(['[batch, 3, 1, 1]']);
  });

  it('norms and softmax', () => {
    expect(infer('LayerNormalization', [[B, S, 64], [64], [64]], {}, 3)).toEqual(['[batch, seq, 64]', '[batch, seq, 1]', '[batch, seq, 1]']);
    expect(infer('RMSNormalization', [[B, S, 64], [64]])).toEqual(['[batch, seq, 64]']);
    expect(infer('Softmax', [[B, 4, S, S]])).toEqual(['[batch, 4, seq, seq]']);
    expect(infer('Softmax', [undefined])).toEqual([undefined]);
  });

  it('Attention, with 3-D inputs, GQA and a past', () => {
    const heads = { q_num_heads: intAttr(4), kv_num_heads: intAttr(2) };
    expect(infer('Attention', [[B, S, 64], [B, S, 32], [B, S, 32]], heads)).toEqual(['[batch, seq, 64]']);
    const past = sym('past');
    expect(infer('Attention', [[B, 4, S, 16], [B, 2, S, 16], [B, 2, S, 8], null, [B, 2, past, 16], [B, 2, past, 8]], {}, 4))
      .toEqual(['[batch, 4, seq, 8]', '[batch, 2, past + seq, 16]', '[batch, 2, past + seq, 8]', '[batch, 4, seq, past + seq]']);
    expect(infer('RotaryEmbedding', [[B, S, 64], [B, S, 8], [B, S, 8]], { num_heads: intAttr(4) }, 1)).toEqual(['[batch, seq, 64]']);
  });

  it('Einsum', () => {
    expect(infer('Einsum', [[B, 4, S, 16], [B, 4, S, 16]], { equation: stringAttr('bhqd,bhkd->bhqk') })).toEqual(['[batch, 4, seq, seq]']);
    expect(infer('Einsum', [[B, S, 3, 3]], { equation: stringAttr('...ii->...i') })).toEqual(['[batch, seq, 3]']);
    expect(infer('Einsum', [undefined, [3, 4]], { equation: stringAttr('ij,jk') })).toEqual(['[n_Einsum_d0, 4]']);
  });
});
