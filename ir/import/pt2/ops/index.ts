// Slicing, selection, advanced indexing, concatenation and splitting.
import { intAttr } from '../../../attrs.js';
import { type Dim } from '../../../dim.js';
import { tensorType } from '../../../types.js';
import type { AtenNode, SizeArg } from '../aten-node.js';
import { normAxis, vectorOf } from './common.js';
import { lowering } from './registry.js';

// Slice bounds past the end (torch writes sys.maxsize) are clamped: exactly to the dim when it
// is known, else to a magnitude every int64 path holds exactly.
const FAR = Number.MAX_SAFE_INTEGER;

/** A slice bound made non-negative and clamped to [0, size] when the size is known. */
function clampBound(bound: number, size: Dim | undefined): number {
  if (typeof size !== 'number') return Math.max(-FAR, Math.min(FAR, bound));
  const b = bound < 0 ? bound + size : bound;
  return Math.max(0, Math.min(size, b));
}

function boundInput(n: AtenNode, role: string, bound: SizeArg): string {
  return typeof bound === 'number' ? n.constInt64(role, [bound]) : vectorOf(n, role, bound);
}

/** x[start:end:step] along one axis; a slice that keeps everything emits nothing. */
function slice(n: AtenNode, x: string, axis: number, startArg: SizeArg, endArg: SizeArg, step: number): void {
  if (step < 1) throw n.fail(`slice step must be positive, found ${step}`);
  const size = n.typeOf(x).shape?.[axis];
  const start = typeof startArg === 'number' ? clampBound(startArg, size) : startArg;
  let end = typeof endArg === 'number' ? clampBound(endArg, size) : endArg;
  if (typeof start === 'number' && typeof end === 'number' && end < start && typeof size === 'number') end = start;
  if (start === 0 && end === size && step === 1) {
    n.alias(x);
    return;
  }
  const inputs = [x, boundInput(n, 'starts', start), boundInput(n, 'ends', end), n.constInt64('axes', [axis]), n.constInt64('steps', [step])];
  n.emit('Slice', inputs);
}

lowering(['aten.slice.Tensor'], (n) => {
  const x = n.tensor('self');
  const axis = normAxis(n, n.int('dim', 0), n.rankOf(x));
  slice(n, x, axis, n.has('start') ? n.size('start') : 0, n.has('end') ? n.size('end') : FAR, n.int('step', 1));
});

lowering(['aten.narrow.default'], (n) => {
  const x = n.tensor('self');
  const axis = normAxis(n, n.int('dim'), n.rankOf(x));
  const start = n.int('start');
  slice(n, x, axis, start, start + n.int('length'), 1);
});

// select(x, dim, i) = x[..., i, ...]: Gather with a scalar index drops the axis.
lowering(['aten.select.int'], (n) => {
  const x = n.tensor('self');
  const axis = normAxis(n, n.int('dim'), n.rankOf(x));
  const index = n.size('index');
  const size = n.typeOf(x).shape?.[axis];
  let indexValue: string;
  if (typeof index === 'number') {
    if (typeof size === 'number' && (index < -size || index >= size)) throw n.fail(`index ${index} is out of range for size ${size}`);
    indexValue = n.scalarConst('index', 'int64', typeof size === 'number' && index < 0 ? index + size : index);
  } else {
    indexValue = n.cast(index, 'int64', 'index');
  }
  n.emit('Gather', [x, indexValue], { axis: intAttr(axis) });
});

lowering(['aten.index_select.default'], (n) => {
  const x = n.tensor('self');
  let index = n.tensor('index');
  if (n.rankOf(index) === 0) index = n.helper('index_1d', 'Unsqueeze', [index, n.constInt64('index_axes', [0])], {}, tensorType(n.typeOf(index).dtype, [1]));
  n.emit('Gather', [x, index], { axis: intAttr(normAxis(n, n.int('dim'), n.rankOf(x))) });
});

lowering(['aten.gather.default'], (n) => {
  const x = n.tensor('self');
  n.emit('GatherElements', [x, n.tensor('index')], { axis: intAttr(normAxis(n, n.int('dim'), n.rankOf(x))) });
});

lowering(['aten.cat.default', 'aten.concat.default', 'aten.concatenate.default'], (n) => {
  const out = n.outType();
  const rank = out.shape?.length ?? 1;
  // torch.cat skips legacy empty 1-D tensors next to tensors of higher rank.
  const parts = n.tensorList('tensors').filter((t): t is string => t !== undefined).filter((t) => {
    const s = n.typeOf(t).shape;
    return !(rank > 1 && s !== undefined && s.length === 1 && s[0] === 0);
  });
  const cast = parts.map((t, i) => n.cast(t, out.dtype, `cast${i}`));
  n.emit('Concat', cast, { axis: intAttr(normAxis(n, n.int('dim', 0), rank)) });
});

lowering(['aten.stack.default'], (n) => {
  const out = n.outType();
  const rank = out.shape?.length ?? 1;
  const axis = normAxis(n, n.int('dim', 0), rank);
  const axes = n.constInt64('axes', [axis]);
  const parts = n.tensorList('tensors').filter((t): t is string => t !== undefined).map((t, i) => {
    const s = n.typeOf(t).shape;
    const shape = s === undefined ? undefined : [...s.slice(0, axis), 1, ...s.slice(axis)];
    return n.helper(`unsqueeze${i}`, 'Unsqueeze', [n.cast(t, out.dtype, `cast${i}`), axes], {}, tensorType(out.dtype, shape));
  });
  n.emit('Concat', parts, { axis: intAttr(axis) });
});

/** The sizes of split(x, size, dim): equal chunks, the last one smaller. */
function chunkSizes(n: AtenNode, total: Dim | undefined, chunk: number, count: number): number[] {
  if (typeof total !== 'number') throw n.fail('splitting a symbolic dim is not supported');
  const sizes = Array.from({ length: count }, (_, i) => Math.min(chunk, total - i * chunk));
  if (sizes.some((s) => s < 0) || sizes.reduce((a, b) => a + b, 0) !== total) throw n.fail(`cannot split ${total} into chunks of ${chunk}`);
  return sizes;
}

lowering(['aten.split.Tensor', 'aten.split_with_sizes.default', 'aten.split.sizes'], (n) => {
  const x = n.tensor('self');
  const axis = normAxis(n, n.int('dim', 0), n.rankOf(x));
  const sizes = n.has('split_size')
    ? chunkSizes(n, n.typeOf(x).shape?.[axis], n.int('split_size'), n.fxOutputs.length)
    : n.ints(n.has('split_sizes') ? 'split_sizes' : 'split_size');
  n.emit('Split', [x, n.constInt64('split', sizes)], { axis: intAttr(axis) });
});

// unbind(x, dim): Split into size-1 pieces, each squeezed.
lowering(['aten.unbind.int'], (n) => {
  const x = n.tensor('self');
  const t = n.typeOf(x);
  const axis = normAxis(n, n.int('dim', 0), n.rankOf(x));
  const count = n.fxOutputs.length;
  const pieceShape = t.shape === undefined ? undefined : t.shape.map((d, i) => (i === axis ? 1 : d));
  const pieces = n.helpers('split', 'Split', [x, n.constInt64('split', Array<number>(count).fill(1))], Array.from({ length: count }, () => tensorType(t.dtype, pieceShape)), { axis: intAttr(axis) });
  const axes = n.constInt64('axes', [axis]);
  pieces.forEach((p, i) => n.emit('Squeeze', [p, axes], {}, { outputs: [i], role: i === 0 ? undefined : `squeeze${i}` }));
});

lowering(['aten.cumsum.default'], (n) => {
  const x = n.cast(n.tensor('self'), n.outType().dtype);
  n.emit('CumSum', [x, n.scalarConst('axis', 'int64', normAxis(n, n.int('dim'), n.rankOf(x)))]);
});

lowering(['aten.triu.default', 'aten.tril.default'], (n) => {
  const upper = n.target.startsWith('aten.triu') ? 1 : 0;
  n.emit('Trilu', [n.tensor('self'), n.scalarConst('k', 'int64', n.int('diagonal', 0))], { upper: intAttr(upper) });
});
