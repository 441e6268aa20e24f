// Reductions. The input is cast to the result dtype first (sum of bools or ints is int64,
// a dtype argument applies before reducing), and an empty dim list means every dim.
import { intAttr } from '../../../attrs.js';
import { tensorType } from '../../../types.js';
import type { AtenNode } from '../aten-node.js';
import { normAxis } from './common.js';
import { lowering } from './registry.js';

/** ReduceX over the `dim` argument (all dims when absent or empty). */
function reduce(op: string) {
  return (n: AtenNode) => {
    const x = n.cast(n.tensor('self'), n.outType().dtype);
    const rank = n.rankOf(x);
    const dims = n.has('dim') ? n.ints('dim') : [];
    const keep = intAttr(n.bool('keepdim', false) ? 1 : 0);
    if (dims.length === 0 || rank === 0) {
      n.emit(op, [x], { keepdims: keep });
      return;
    }
    const axes = [...new Set(dims.map((d) => normAxis(n, d, rank)))].sort((a, b) => a - b);
    n.emit(op, [x, n.constInt64('axes', axes)], { keepdims: keep });
  };
}

lowering(['aten.mean.dim', 'aten.mean.default'], reduce('ReduceMean'));
lowering(['aten.sum.dim_IntList', 'aten.sum.default'], reduce('ReduceSum'));
lowering(['aten.amax.default'], reduce('ReduceMax'));
lowering(['aten.amin.default'], reduce('ReduceMin'));
lowering(['aten.prod.default'], reduce('ReduceProd'));
lowering(['aten.max.default'], reduce('ReduceMax'));
lowering(['aten.min.default'], reduce('ReduceMin'));

// prod.dim_int and the value+index forms take a single int dim.
lowering(['aten.prod.dim_int'], (n) => {
  const x = n.cast(n.tensor('self'), n.outType().dtype);
  const axis = normAxis(n, n.int('dim'), n.rankOf(x));
  n.emit('ReduceProd', [x, n.constInt64('axes', [axis])], { keepdims: intAttr(n.bool('keepdim', false) ? 1 : 0) });
});

/** max.dim / min.dim: the values, and the index of the first extreme value. */
function valuesAndIndices(reduceOp: string, argOp: string) {
  return (n: AtenNode) => {
    const x = n.tensor('self');
    const axis = normAxis(n, n.int('dim'), n.rankOf(x));
    const keep = intAttr(n.bool('keepdim', false) ? 1 : 0);
    if (n.fxOutputs[0] !== undefined) n.emit(reduceOp, [x, n.constInt64('axes', [axis])], { keepdims: keep }, { outputs: [0] });
    if (n.fxOutputs[1] !== undefined) n.emit(argOp, [x], { axis: intAttr(axis), keepdims: keep }, { outputs: [1], role: 'indices' });
  };
}

lowering(['aten.max.dim'], valuesAndIndices('ReduceMax', 'ArgMax'));
lowering(['aten.min.dim'], valuesAndIndices('ReduceMin', 'ArgMin'));

/** argmax/argmin; without a dim they index the flattened tensor. */
function argExtreme(op: string) {
  return (n: AtenNode) => {
    let x = n.tensor('self');
    const keep = n.bool('keepdim', false);
    if (!n.has('dim')) {
      const t = n.typeOf(x);
      x = n.helper('flat', 'Reshape', [x, n.constInt64('flat_shape', [-1])], {}, tensorType(t.dtype, undefined));
      if (keep) throw n.fail('keepdim without a dim is not supported');
      n.emit(op, [x], { axis: intAttr(0), keepdims: intAttr(0) });
      return;
    }
    n.emit(op, [x], { axis: intAttr(normAxis(n, n.int('dim'), n.rankOf(x))), keepdims: intAttr(keep ? 1 : 0) });
  };
}

lowering(['aten.argmax.default'], argExtreme('ArgMax'));
lowering(['aten.argmin.default'], argExtreme('ArgMin'));
