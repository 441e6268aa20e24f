// Matrix products and convolutions: linear, addmm, baddbmm, (b)mm, matmul, t, conv.
import { type AttrValue, floatAttr, intAttr, intsAttr, stringAttr } from '../../../attrs.js';
import { attrsOf } from '../../../ops/spec.js';
import { tensorType } from '../../../types.js';
import type { AtenNode } from '../aten-node.js';
import { lowering } from './registry.js';

/** W^T for a 2-D weight, as a Transpose node (constant folding turns it into an initializer). */
function transposed(n: AtenNode, weight: string, role = 'weight_t'): string {
  const t = n.typeOf(weight);
  const shape = t.shape === undefined ? undefined : [...t.shape].reverse();
  return n.helper(role, 'Transpose', [weight], { perm: intsAttr([1, 0]) }, tensorType(t.dtype, shape));
}

// linear(x, W, b) = x W^T + b: one Gemm for a 2-D input, as the ONNX exporter writes it;
// otherwise MatMul with the transposed weight, then Add.
lowering(['aten.linear.default'], (n) => {
  const x = n.tensor('input');
  const w = n.tensor('weight');
  const b = n.optTensor('bias');
  if (n.rankOf(w) !== 2) throw n.fail(`expects a 2-D weight, found rank ${n.rankOf(w)}`);
  if (n.rankOf(x) === 2 && b !== undefined) {
    n.emit('Gemm', [x, w, b], { transB: intAttr(1) });
    return;
  }
  const wt = transposed(n, w);
  if (b === undefined) {
    n.emit('MatMul', [x, wt]);
    return;
  }
  const product = n.helper('matmul', 'MatMul', [x, wt], {}, n.outType());
  n.emit('Add', [product, b]);
});

// addmm(c, a, b, beta, alpha) = beta c + alpha (a @ b): exactly Gemm.
lowering(['aten.addmm.default'], (n) => {
  const inputs = [n.tensor('mat1'), n.tensor('mat2'), n.tensor('self')];
  const alpha = n.float('alpha', 1);
  const beta = n.float('beta', 1);
  n.emit('Gemm', inputs, attrsOf({ alpha: alpha === 1 ? undefined : floatAttr(alpha), beta: beta === 1 ? undefined : floatAttr(beta) }));
});

lowering(['aten.mm.default', 'aten.bmm.default', 'aten.matmul.default'], (n) => {
  n.emit('MatMul', [n.tensor('self'), n.tensor(n.has('mat2') ? 'mat2' : 'other')]);
});

// baddbmm(c, a, b, beta, alpha) = beta c + alpha (a @ b), batched; beta = 0 ignores c (even NaNs).
lowering(['aten.baddbmm.default'], (n) => {
  const out = n.outType();
  const alpha = n.float('alpha', 1);
  const beta = n.float('beta', 1);
  let product = n.helper('matmul', 'MatMul', [n.tensor('batch1'), n.tensor('batch2')], {}, out);
  if (alpha !== 1) product = n.helper('alpha', 'Mul', [product, n.scalarConst('alpha_value', out.dtype, alpha)], {}, out);
  if (beta === 0) {
    n.alias(product);
    return;
  }
  let c = n.tensor('self');
  if (beta !== 1) c = n.helper('beta', 'Mul', [c, n.scalarConst('beta_value', out.dtype, beta)], {}, n.typeOf(c));
  n.emit('Add', [c, product]);
});

// t(x): the transpose of a matrix; vectors and scalars are their own transpose.
lowering(['aten.t.default', 'aten.numpy_T.default'], (n) => {
  const x = n.tensor('self');
  const rank = n.rankOf(x);
  if (rank < 2) n.alias(x);
  else n.emit('Transpose', [x], { perm: intsAttr([...Array(rank).keys()].reverse()) });
});

// Convolutions with symmetric padding (torch pads both sides equally), or 'same'/'valid'.
lowering(
  ['aten.conv1d.default', 'aten.conv2d.default', 'aten.conv3d.default', 'aten.conv1d.padding', 'aten.conv2d.padding', 'aten.conv3d.padding', 'aten.convolution.default', 'aten._convolution.default'],
  (n) => {
    if (n.bool('transposed', false)) throw n.fail('transposed convolution is not supported');
    const x = n.tensor('input');
    const w = n.tensor('weight');
    const b = n.optTensor('bias');
    const spatial = n.rankOf(w) - 2;
    const repeat = (v: readonly number[]): number[] => (v.length === 1 ? Array<number>(spatial).fill(v[0] as number) : [...v]);
    const attrs: Record<string, AttrValue> = {
      strides: intsAttr(repeat(n.ints('stride', [1]))),
      dilations: intsAttr(repeat(n.ints('dilation', [1]))),
      group: intAttr(n.int('groups', 1)),
    };
    const padding = n.arg('padding');
    if (padding?.as_string !== undefined) {
      if (padding.as_string !== 'same' && padding.as_string !== 'valid') throw n.fail(`unknown padding '${padding.as_string}'`);
      attrs.auto_pad = stringAttr(padding.as_string === 'same' ? 'SAME_UPPER' : 'VALID');
    } else {
      const pads = repeat(n.ints('padding', [0]));
      attrs.pads = intsAttr([...pads, ...pads]);
    }
    n.emit('Conv', b === undefined ? [x, w] : [x, w, b], attrs);
  },
);
