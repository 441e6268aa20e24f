// SymInt arithmetic of dynamic-shape exports (sym_size, and Python operators on sizes) as
// 0-D int64 tensors, and the runtime assertions, which have no effect on the values.
import { intAttr } from '../../../attrs.js';
import { type DType } from '../../../dtype.js';
import type { Argument } from '../schema.js';
import type { AtenNode } from '../aten-node.js';
import { normAxis } from './common.js';
import { lowering } from './registry.js';

lowering(['aten.sym_size.int'], (n) => {
  const x = n.tensor('self');
  const rank = n.rankOf(x);
  const axis = normAxis(n, n.int('dim'), rank);
  const known = n.typeOf(x).shape?.[axis];
  if (typeof known === 'number') {
    n.alias(n.scalarConst('value', 'int64', known));
    return;
  }
  const shape = n.helper('shape', 'Shape', [x], {}, { dtype: 'int64', shape: [rank] });
  n.emit('Gather', [shape, n.scalarConst('axis', 'int64', axis)], { axis: intAttr(0) });
});

lowering(['aten.sym_numel.default', 'aten.numel.default'], (n) => {
  n.emit('Size', [n.tensor('self')]);
});

/** Positional operand i of a Python operator, as a 0-D value of dtype. */
function operand(n: AtenNode, i: number, dtype: DType): string {
  const a: Argument | undefined = n.argAt(i);
  const name = a?.as_sym_int !== undefined && 'as_name' in a.as_sym_int ? a.as_sym_int.as_name
    : a?.as_sym_float !== undefined && 'as_name' in a.as_sym_float ? a.as_sym_float.as_name
      : a?.as_tensor?.name;
  if (name !== undefined) {
    const known = n.scope.staticSymInt(name);
    if (known !== undefined) return n.scalarConst(`operand${i}`, dtype, known);
    return n.cast(n.value(name), dtype, `operand${i}_cast`);
  }
  const literal = a?.as_int ?? a?.as_float ?? (a?.as_bool === undefined ? undefined : Number(a.as_bool))
    ?? (a?.as_sym_int !== undefined && 'as_int' in a.as_sym_int ? a.as_sym_int.as_int : undefined)
    ?? (a?.as_sym_float !== undefined && 'as_float' in a.as_sym_float ? a.as_sym_float.as_float : undefined);
  if (literal === undefined) throw n.fail(`operand ${i} should be a number`);
  return n.scalarConst(`operand${i}`, dtype, literal);
}

/** A binary Python operator on sizes, computed in the result's dtype (int64 for SymInts). */
function binary(op: string) {
  return (n: AtenNode) => {
    const dtype = n.outType().dtype;
    n.emit(op, [operand(n, 0, dtype), operand(n, 1, dtype)]);
  };
}

// Sizes are non-negative, where truncating integer division is floor division.
lowering(['_operator.add'], binary('Add'));
lowering(['_operator.sub'], binary('Sub'));
lowering(['_operator.mul'], binary('Mul'));
lowering(['_operator.floordiv'], binary('Div'));
lowering(['_operator.truediv'], binary('Div'));
lowering(['_operator.mod'], (n) => {
  n.emit('Mod', [operand(n, 0, 'int64'), operand(n, 1, 'int64')], { fmod: intAttr(0) });
});
lowering(['torch.sym_max'], binary('Max'));
lowering(['torch.sym_min'], binary('Min'));
lowering(['_operator.neg'], (n) => {
  n.emit('Neg', [operand(n, 0, n.outType().dtype)]);
});
lowering(['torch.sym_float', 'torch.sym_int'], (n) => {
  n.alias(operand(n, 0, n.outType().dtype));
});

/** Size comparisons feed assertions; they compute like any comparison. */
function compare(op: string, negate = false) {
  return (n: AtenNode) => {
    const inputs = [operand(n, 0, 'int64'), operand(n, 1, 'int64')];
    if (negate) n.emit('Not', [n.helper('equal', op, inputs, {}, { dtype: 'bool', shape: [] })]);
    else n.emit(op, inputs);
  };
}

lowering(['_operator.eq'], compare('Equal'));
lowering(['_operator.ne'], compare('Equal', true));
lowering(['_operator.lt'], compare('Less'));
lowering(['_operator.le'], compare('LessOrEqual'));
lowering(['_operator.gt'], compare('Greater'));
lowering(['_operator.ge'], compare('GreaterOrEqual'));

// Checks the exporter inserted (dtype/device metadata, shape-guard asserts): nothing to compute.
lowering(
  [
    'aten._assert_tensor_metadata.default', 'aten._assert_scalar.default', 'aten._assert_async.default',
    'aten._assert_async.msg', 'aten.sym_constrain_range.default', 'aten.sym_constrain_range_for_size.default',
    'aten._functional_assert_async.msg', 'aten._functional_sym_constrain_range.default',
  ],
  () => undefined,
);
