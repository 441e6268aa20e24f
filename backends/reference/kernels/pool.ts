// Reference kernels: MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool.
import { AveragePool, GlobalAveragePool, GlobalMaxPool, MaxPool, poolDims, poolWindow } from '../../../ir/ops/pool.js';
import { opError } from '../../../ir/ops/shape-util.js';
import { beginPads, endPads } from '../../../ir/ops/window.js';
import type { Node } from '../../../ir/graph.js';
import type { Tensor } from '../../../ir/tensor.js';
import { defineKernel } from '../kernel.js';
import { concreteShape, required } from './args.js';
import { declaredOutputs, spanSize, tensorOf } from './nn-args.js';
import { IN_PADDING, type WindowTable, windowTable } from './window-table.js';

interface Pooling {
  readonly x: Tensor;
  readonly shape: number[];
  readonly table: WindowTable;
  readonly planes: number;
  readonly plane: number;
}

function pooling(node: Node, x: Tensor, attrs: Parameters<typeof poolWindow>[2] & { ceil_mode: number }): Pooling {
  const win = poolWindow(node, x.shape, attrs);
  const shape = concreteShape(node, poolDims(node, x.shape, win, attrs.ceil_mode !== 0));
  const sizes = x.shape.slice(2);
  const table = windowTable(win, sizes, shape.slice(2), beginPads(win, sizes), endPads(win, sizes));
  return { x, shape, table, planes: x.shape[0]! * x.shape[1]!, plane: spanSize(sizes, 0) };
}

/** Column-major (storage_order=1) flat offset of a row-major offset within one spatial plane. */
function columnMajor(offset: number, sizes: readonly number[]): number {
  const coord = new Array<number>(sizes.length);
  for (let d = sizes.length - 1, r = offset; d >= 0; d--) { coord[d] = r % sizes[d]!; r = Math.floor(r / sizes[d]!); }
  let flat = 0;
  let stride = 1;
  for (let d = 0; d < sizes.length; d++) { flat += coord[d]! * stride; stride *= sizes[d]!; }
  return flat;
}

defineKernel(MaxPool, (inputs, attrs, node) => {
  const { x, shape, table, planes, plane } = pooling(node, required(inputs, 0, node), attrs);
  if (attrs.storage_order !== 0 && attrs.storage_order !== 1) throw opError(node, `storage_order must be 0 or 1, found ${attrs.storage_order}`);
  const { outputs, taps, offsets } = table;
  const out = new Float64Array(planes * outputs);
  const indices = new Float64Array(planes * outputs);
  const sizes = x.shape.slice(2);
  for (let p = 0; p < planes; p++) {
    for (let o = 0; o < outputs; o++) {
      let best = -Infinity;
      let at = -1;
      for (let t = 0; t < taps; t++) {
        const off = offsets[o * taps + t]!;
        if (off < 0) continue;
        const v = x.data[p * plane + off]!;
        if (v > best || at < 0) { best = v; at = off; }
      }
      out[p * outputs + o] = best;
      indices[p * outputs + o] = p * plane + (attrs.storage_order === 1 ? columnMajor(at, sizes) : at);
    }
  }
  return declaredOutputs(node, [tensorOf(x.dtype, shape, out), tensorOf('int64', shape, indices)]);
});

defineKernel(AveragePool, (inputs, attrs, node) => {
  const { x, shape, table, planes, plane } = pooling(node, required(inputs, 0, node), attrs);
  const { outputs, taps, offsets } = table;
  const includePad = attrs.count_include_pad !== 0;
  const out = new Float64Array(planes * outputs);
  for (let p = 0; p < planes; p++) {
    for (let o = 0; o < outputs; o++) {
      let sum = 0;
      let count = 0;
      for (let t = 0; t < taps; t++) {
        const off = offsets[o * taps + t]!;
        if (off >= 0) { sum += x.data[p * plane + off]!; count++; } else if (includePad && off === IN_PADDING) count++;
      }
      out[p * outputs + o] = sum / count;
    }
  }
  return [tensorOf(x.dtype, shape, out)];
});

function globalPool(node: Node, x: Tensor, reduce: (data: Tensor['data'], from: number, length: number) => number): Tensor {
  if (x.shape.length < 2) throw opError(node, `X must be [N, C, spatial...], found [${x.shape.join(', ')}]`);
  const planes = x.shape[0]! * x.shape[1]!;
  const plane = spanSize(x.shape, 2);
  const out = new Float64Array(planes);
  for (let p = 0; p < planes; p++) out[p] = reduce(x.data, p * plane, plane);
  return tensorOf(x.dtype, x.shape.map((d, i) => (i < 2 ? d : 1)), out);
}

defineKernel(GlobalAveragePool, (inputs, _attrs, node) => [globalPool(node, required(inputs, 0, node), (data, from, length) => {
  let sum = 0;
  for (let i = 0; i < length; i++) sum += data[from + i]!;
  return sum / length;
})]);

defineKernel(GlobalMaxPool, (inputs, _attrs, node) => [globalPool(node, required(inputs, 0, node), (data, from, length) => {
  let best = -Infinity;
  for (let i = 0; i < length; i++) best = Math.max(best, data[from + i]!);
  return best;
})]);
