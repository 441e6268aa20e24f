// Shape and layout ops: view/reshape, flatten, permute/transpose, (un)squeeze, expand.
import { intAttr, intsAttr } from '../../../attrs.js';
import { type Dim, dimEq } from '../../../dim.js';
import { tensorType } from '../../../types.js';
import type { AtenNode } from '../aten-node.js';
import { normAxis, shapeInput } from './common.js';
import { lowering } from './registry.js';

// view/reshape: Reshape with the requested sizes (-1 included); SymInt sizes are gathered
// into the shape tensor. A literal 0 (an empty dim) needs allowzero, since ONNX reads 0 as "copy".
lowering(['aten.view.default', 'aten.reshape.default', 'aten._unsafe_view.default'], (n) => {
  const x = n.tensor('self');
  const sizes = n.sizes(n.has('size') ? 'size' : 'shape');
  const shape = shapeInput(n, 'shape', sizes);
  n.emit('Reshape', [x, shape], sizes.includes(0) ? { allowzero: intAttr(1) } : {});
});

lowering(['aten.view_as.default', 'aten.reshape_as.default'], (n) => {
  const other = n.tensor('other');
  const shape = n.helper('shape', 'Shape', [other], {}, tensorType('int64', [n.rankOf(other)]));
  n.emit('Reshape', [n.tensor('self'), shape]);
});

/** Reshape to the export's recorded output shape: symbolic dims are copied (0) from the same
 *  position of the input, and at most one other is inferred (-1). */
function reshapeToOutput(n: AtenNode, x: string): void {
  const inShape = n.typeOf(x).shape ?? [];
  const outShape = n.outType().shape;
  if (outShape === undefined) throw n.fail('needs the rank of its result');
  let inferred = false;
  const target = outShape.map((d: Dim, i) => {
    if (typeof d === 'number') return d;
    const same = inShape[i];
    if (same !== undefined && dimEq(same, d)) return 0;
    if (inferred) throw n.fail('cannot express this reshape of symbolic dims');
    inferred = true;
    return -1;
  });
  if (target.includes(0) && outShape.some((d) => d === 0)) throw n.fail('cannot reshape empty tensors with symbolic dims');
  n.emit('Reshape', [x, n.constInt64('shape', target)]);
}

lowering(['aten.flatten.using_ints', 'aten.unflatten.int'], (n) => {
  const x = n.tensor('self');
  if (n.rankOf(x) === 0 && n.target === 'aten.flatten.using_ints') {
    n.emit('Reshape', [x, n.constInt64('shape', [1])]);
    return;
  }
  reshapeToOutput(n, x);
});

lowering(['aten.permute.default'], (n) => {
  const x = n.tensor('self');
  const rank = n.rankOf(x);
  n.emit('Transpose', [x], { perm: intsAttr(n.ints('dims').map((d) => normAxis(n, d, rank))) });
});

lowering(['aten.transpose.int', 'aten.swapaxes.default', 'aten.swapdims.default'], (n) => {
  const x = n.tensor('self');
  const rank = n.rankOf(x);
  const a = normAxis(n, n.int(n.has('dim0') ? 'dim0' : 'axis0'), rank);
  const b = normAxis(n, n.int(n.has('dim1') ? 'dim1' : 'axis1'), rank);
  if (a === b || rank < 2) {
    n.alias(x);
    return;
  }
  const perm = [...Array(rank).keys()];
  perm[a] = b;
  perm[b] = a;
  n.emit('Transpose', [x], { perm: intsAttr(perm) });
});

lowering(['aten.unsqueeze.default', 'aten.unsqueeze_.default'], (n) => {
  const x = n.tensor('self');
  const axis = normAxis(n, n.int('dim'), n.rankOf(x) + 1);
  n.emit('Unsqueeze', [x, n.constInt64('axes', [axis])]);
});

// squeeze only drops dims of size 1; torch leaves other requested dims alone (ONNX would fail).
lowering(['aten.squeeze.default', 'aten.squeeze.dim', 'aten.squeeze.dims', 'aten.squeeze_.dim'], (n) => {
  const x = n.tensor('self');
  const shape = n.typeOf(x).shape ?? [];
  const requested = n.has('dim') ? n.ints('dim').map((d) => normAxis(n, d, shape.length)) : [...shape.keys()];
  const axes = [...new Set(requested)].filter((i) => shape[i] === 1).sort((p, q) => p - q);
  if (axes.length === 0) n.alias(x);
  else n.emit('Squeeze', [x, n.constInt64('axes', axes)]);
});

// expand: -1 keeps the input's size, which ONNX Expand's broadcasting does for a 1.
lowering(['aten.expand.default', 'aten.broadcast_to.default'], (n) => {
  const x = n.tensor('self');
  const sizes = n.sizes(n.has('size') ? 'size' : 'shape').map((s) => (s === -1 ? 1 : s));
  const inShape = n.typeOf(x).shape;
  const outShape = n.outType().shape;
  if (inShape !== undefined && outShape !== undefined && sameStaticShape(inShape, outShape)) {
    n.alias(x);
    return;
  }
  n.emit('Expand', [x, shapeInput(n, 'shape', sizes)]);
});

lowering(['aten.expand_as.default'], (n) => {
  const other = n.tensor('other');
  const shape = n.helper('shape', 'Shape', [other], {}, tensorType('int64', [n.rankOf(other)]));
  n.emit('Expand', [n.tensor('self'), shape]);
});

function sameStaticShape(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => typeof d === 'number' && d === b[i]);
}
