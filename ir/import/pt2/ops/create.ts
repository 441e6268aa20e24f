// Tensors made from sizes and fill values: arange, full/zeros/ones and their _like / new_
// forms. The export records each result's dtype, which already applies the dtype argument
// and PyTorch's defaults (int64 for integer aranges and fills, float32 otherwise).
import { intAttr, tensorAttr } from '../../../attrs.js';
import { type DType, onnxCode } from '../../../dtype.js';
import { makeTensor } from '../../../tensor.js';
import { tensorType } from '../../../types.js';
import type { AtenNode, SizeArg } from '../aten-node.js';
import { scalarOf, shapeInput } from './common.js';
import { lowering } from './registry.js';

lowering(['aten.arange.default', 'aten.arange.start', 'aten.arange.start_step'], (n) => {
  const dtype = n.outType().dtype;
  const bound = (name: string, fallback: number): SizeArg => {
    const a = n.arg(name);
    if (a === undefined) return fallback;
    return a.as_float !== undefined ? a.as_float : n.size(name);
  };
  n.emit('Range', [
    scalarOf(n, 'start', bound('start', 0), dtype),
    scalarOf(n, 'limit', bound('end', 0), dtype),
    scalarOf(n, 'delta', bound('step', 1), dtype),
  ]);
});

/** ConstantOfShape(shape) filled with value in dtype. */
function filled(n: AtenNode, shape: string, dtype: DType, value: number): void {
  n.emit('ConstantOfShape', [shape], { value: tensorAttr(makeTensor(dtype, [1], [value])) });
}

/** The fill_value argument; the fallback of ops that have none (zeros, ones); required otherwise. */
function fillValue(n: AtenNode, fallback: number | null): number {
  if (!n.has('fill_value')) {
    if (fallback === null) throw n.fail("missing argument 'fill_value'");
    return fallback;
  }
  const s = n.scalar('fill_value');
  if (s.kind !== 'const') throw n.fail('a symbolic fill value is not supported');
  return s.value;
}

/** The shape of the `self` tensor: a constant when known, else Shape(self). */
function shapeOfSelf(n: AtenNode): string {
  const x = n.tensor('self');
  const shape = n.typeOf(x).shape;
  if (shape !== undefined && shape.every((d): d is number => typeof d === 'number')) return n.constInt64('shape', shape);
  return n.helper('shape', 'Shape', [x], {}, tensorType('int64', [n.rankOf(x)]));
}

const LIKE_FILL: Readonly<Record<string, number | null>> = { full_like: null, zeros_like: 0, ones_like: 1, empty_like: 0 };

for (const [op, fallback] of Object.entries(LIKE_FILL)) {
  lowering([`aten.${op}.default`], (n) => {
    filled(n, shapeOfSelf(n), n.outType().dtype, fillValue(n, fallback));
  });
}

const NEW_FILL: Readonly<Record<string, number | null>> = { new_full: null, new_zeros: 0, new_ones: 1, new_empty: 0 };

for (const [op, fallback] of Object.entries(NEW_FILL)) {
  lowering([`aten.${op}.default`], (n) => {
    filled(n, shapeInput(n, 'shape', n.sizes('size')), n.outType().dtype, fillValue(n, fallback));
  });
}

const FILL: Readonly<Record<string, number | null>> = { full: null, zeros: 0, ones: 1, empty: 0 };

for (const [op, fallback] of Object.entries(FILL)) {
  lowering([`aten.${op}.default`, ...(op === 'empty' ? ['aten.empty.memory_format'] : [])], (n) => {
    filled(n, shapeInput(n, 'shape', n.sizes('size')), n.outType().dtype, fillValue(n, fallback));
  });
}

lowering(['aten.scalar_tensor.default'], (n) => {
  const s = n.scalar('s');
  const dtype = n.outType().dtype;
  if (s.kind === 'const') filled(n, n.constInt64('shape', [], [0]), dtype, s.value);
  else n.emit('Cast', [s.name], { to: intAttr(onnxCode(dtype)) });
});
