// x[i0, i1, ...] with integer index tensors (aten.index.Tensor; None entries keep a dim).
// One index is a Gather. Several are broadcast together and stacked for a GatherND over the
// indexed dims brought to the front; PyTorch then puts the broadcast dims where the indexed
// dims were when those were adjacent, and first otherwise.
import { intAttr, intsAttr } from '../../../attrs.js';
import { type Dim } from '../../../dim.js';
import { type TensorType, tensorType } from '../../../types.js';
import type { AtenNode } from '../aten-node.js';
import { lowering } from './registry.js';

lowering(['aten.index.Tensor', 'aten._unsafe_index.Tensor'], (n) => {
  const x = n.tensor('self');
  const rank = n.rankOf(x);
  const indices = n.tensorList('indices');
  if (indices.length > rank) throw n.fail(`indexes ${indices.length} dims of a tensor of rank ${rank}`);
  const used = indices.flatMap((v, axis) => (v === undefined ? [] : [{ axis, value: v }]));
  if (used.length === 0) {
    n.alias(x);
    return;
  }
  for (const u of used) {
    const dtype = n.typeOf(u.value).dtype;
    if (dtype === 'bool' || dtype === 'uint8') throw n.fail('indexing with a boolean mask gives a data-dependent shape, which solder does not support');
  }
  if (used.length === 1) {
    const [only] = used as [{ axis: number; value: string }];
    n.emit('Gather', [x, only.value], { axis: intAttr(only.axis) });
    return;
  }
  gatherMany(n, x, rank, used);
});

function gatherMany(n: AtenNode, x: string, rank: number, used: readonly { axis: number; value: string }[]): void {
  const xType = n.typeOf(x);
  const indexed = used.map((u) => u.axis);
  const others = [...Array(rank).keys()].filter((a) => !indexed.includes(a));
  const front = [...indexed, ...others];
  const moved = front.every((a, i) => a === i)
    ? x
    : n.helper('indexed_first', 'Transpose', [x], { perm: intsAttr(front) }, permuted(xType, front));
  const broadcast = broadcastStatic(n, used.map((u) => n.typeOf(u.value).shape));
  const axes = n.constInt64('last_axis', [-1]);
  const target = n.constInt64('index_shape', broadcast);
  const columns = used.map((u, i) => {
    const asInt = n.cast(u.value, 'int64', `index${i}_int64`);
    const full = sameShape(n.typeOf(asInt).shape, broadcast)
      ? asInt
      : n.helper(`index${i}_expand`, 'Expand', [asInt, target], {}, tensorType('int64', broadcast));
    return n.helper(`index${i}_column`, 'Unsqueeze', [full, axes], {}, tensorType('int64', [...broadcast, 1]));
  });
  const stacked = n.helper('index_tuples', 'Concat', columns, { axis: intAttr(-1) }, tensorType('int64', [...broadcast, used.length]));
  const adjacent = indexed.every((a, i) => i === 0 || a === (indexed[i - 1] as number) + 1);
  const before = adjacent ? (indexed[0] as number) : 0;
  if (before === 0) {
    n.emit('GatherND', [moved, stacked]);
    return;
  }
  // GatherND gives [broadcast..., dims before..., dims after...]; torch wants the dims before first.
  const restShape = others.map((a) => xType.shape?.[a] as Dim);
  const gathered = n.helper('gathered', 'GatherND', [moved, stacked], {}, tensorType(xType.dtype, [...broadcast, ...restShape]));
  const b = broadcast.length;
  const perm = [...Array(before).keys()].map((i) => b + i);
  perm.push(...[...Array(b).keys()], ...[...Array(restShape.length - before).keys()].map((i) => b + before + i));
  n.emit('Transpose', [gathered], { perm: intsAttr(perm) });
}

function permuted(t: TensorType, perm: readonly number[]): TensorType {
  return tensorType(t.dtype, t.shape === undefined ? undefined : perm.map((a) => t.shape?.[a] as Dim));
}

/** The broadcast shape of the index tensors, which must be known. */
function broadcastStatic(n: AtenNode, shapes: readonly (readonly Dim[] | undefined)[]): number[] {
  const rank = Math.max(...shapes.map((s) => s?.length ?? 0));
  const out = Array<number>(rank).fill(1);
  for (const s of shapes) {
    if (s === undefined || s.some((d) => typeof d !== 'number')) throw n.fail('indexing with several index tensors of symbolic shape is not supported');
    s.forEach((d, i) => {
      const at = rank - s.length + i;
      const cur = out[at] as number;
      if (d !== 1 && cur !== 1 && d !== cur) throw n.fail(`index shapes do not broadcast (${d} against ${cur})`);
      if (d !== 1) out[at] = d as number;
    });
  }
  return out;
}

function sameShape(a: readonly Dim[] | undefined, b: readonly number[]): boolean {
  return a !== undefined && a.length === b.length && a.every((d, i) => d === b[i]);
}
