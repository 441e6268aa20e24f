// Reference kernels: TopK, Unique, NonZero, CumSum, Trilu, ReverseSequence.
import { CumSum, NonZero, ReverseSequence, TopK, Trilu, Unique, sequenceAxes, topKCount } from '../../../ir/ops/indexing-order.js';
import { scalarValue } from '../../../ir/ops/shape-inputs.js';
import { normalizeAxis, opError } from '../../../ir/ops/shape-util.js';
import { makeTensor, numel } from '../../../ir/tensor.js';
import { defineKernel } from '../kernel.js';
import { forEachCoord, gatherByCoord, offsetOf, stridesOf, takeAlongAxis } from '../strides.js';
import { required } from './args.js';

/** Total order for sorting: NaN above everything, as numpy sorts it. */
function compareValues(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Calls visit once per line along an axis with the flat offset of its first element and the stride between elements. */
function forEachLine(shape: readonly number[], axis: number, visit: (first: number, stride: number) => void): void {
  const inner = numel(shape.slice(axis + 1));
  const outer = numel(shape.slice(0, axis));
  const size = shape[axis]!;
  for (let o = 0; o < outer; o++) for (let r = 0; r < inner; r++) visit(o * size * inner + r, inner);
}

defineKernel(TopK, (inputs, attrs, node) => {
  const x = required(inputs, 0, node);
  const axis = normalizeAxis(node, attrs.axis, x.shape.length);
  const size = x.shape[axis]!;
  const k = topKCount(node, scalarValue(node, required(inputs, 1, node), 'K'), size);
  const shape = x.shape.map((d, i) => (i === axis ? k : d));
  const values = makeTensor(x.dtype, shape);
  const indices = makeTensor('int64', shape);
  const sign = attrs.largest !== 0 ? -1 : 1;
  // Output lines have the same inner stride as input lines, so line number n starts at the same (o, r) in both.
  const outStarts: number[] = [];
  forEachLine(shape, axis, (first) => outStarts.push(first));
  let line = 0;
  forEachLine(x.shape, axis, (first, stride) => {
    const order = Array.from({ length: size }, (_, i) => i);
    // Array.prototype.sort is stable, so ties keep the lower index first.
    order.sort((a, b) => sign * compareValues(x.data[first + a * stride]!, x.data[first + b * stride]!));
    const out = outStarts[line++]!;
    for (let j = 0; j < k; j++) {
      values.data[out + j * stride] = x.data[first + order[j]! * stride]!;
      indices.data[out + j * stride] = order[j]!;
    }
  });
  return [values, indices];
});

defineKernel(Unique, (inputs, attrs, node) => {
  const x = required(inputs, 0, node);
  const flat = attrs.axis === undefined;
  const source = flat ? { ...x, shape: [x.data.length] } : x;
  const axis = flat ? 0 : normalizeAxis(node, attrs.axis!, x.shape.length);
  // Each position along the axis is one item: an element, or the slice there read in row-major order.
  const size = source.shape[axis]!;
  const items = Array.from({ length: size }, (_, p) => Array.from(takeAlongAxis(source, axis, [p], source.shape.map((d, i) => (i === axis ? 1 : d))).data));
  const firstOf = new Map<string, number>();
  const counts = new Map<string, number>();
  items.forEach((item, p) => {
    const key = item.join(',');
    if (!firstOf.has(key)) firstOf.set(key, p);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  let firsts = [...firstOf.values()];
  if (attrs.sorted !== 0) {
    const lexicographic = (a: number[], b: number[]) => a.reduce((c, v, i) => c || compareValues(v, b[i]!), 0);
    firsts = firsts.sort((a, b) => lexicographic(items[a]!, items[b]!));
  }
  const slot = new Map(firsts.map((p, j) => [items[p]!.join(','), j]));
  const y = takeAlongAxis(source, axis, firsts, source.shape.map((d, i) => (i === axis ? firsts.length : d)));
  const inverse = items.map((item) => slot.get(item.join(','))!);
  const n = firsts.length;
  const all = [
    y,
    makeTensor('int64', [n], firsts),
    makeTensor('int64', [inverse.length], inverse),
    makeTensor('int64', [n], firsts.map((p) => counts.get(items[p]!.join(','))!)),
  ];
  return all.slice(0, Math.max(1, node.outputs.length));
});

defineKernel(NonZero, (inputs, _attrs, node) => {
  const x = required(inputs, 0, node);
  const shape = x.shape.length === 0 ? [1] : x.shape;
  const found: number[][] = [];
  forEachCoord(shape, (coord, flat) => {
    if (x.data[flat] !== 0) found.push([...coord]);
  });
  const rank = shape.length;
  const out = makeTensor('int64', [rank, found.length]);
  found.forEach((coord, j) => coord.forEach((c, r) => (out.data[r * found.length + j] = c)));
  return [out];
});

defineKernel(CumSum, (inputs, attrs, node) => {
  const x = required(inputs, 0, node);
  const axis = normalizeAxis(node, scalarValue(node, required(inputs, 1, node), 'axis'), x.shape.length);
  const size = x.shape[axis]!;
  const out = makeTensor(x.dtype, x.shape);
  forEachLine(x.shape, axis, (first, stride) => {
    let sum = 0;
    for (let step = 0; step < size; step++) {
      const at = first + (attrs.reverse !== 0 ? size - 1 - step : step) * stride;
      if (attrs.exclusive !== 0) {
        out.data[at] = sum;
        sum += x.data[at]!;
      } else {
        sum += x.data[at]!;
        out.data[at] = sum;
      }
    }
  });
  return [out];
});

defineKernel(Trilu, (inputs, attrs, node) => {
  const x = required(inputs, 0, node);
  const rank = x.shape.length;
  if (rank < 2) throw opError(node, `input must have rank 2 or more, found [${x.shape.join(', ')}]`);
  const k = inputs[1] === undefined ? 0 : scalarValue(node, inputs[1], 'k');
  const keep = (row: number, col: number) => (attrs.upper !== 0 ? col - row >= k : col - row <= k);
  const strides = stridesOf(x.shape);
  return [gatherByCoord(x, x.shape, (coord) => (keep(coord[rank - 2]!, coord[rank - 1]!) ? offsetOf(coord, strides) : -1))];
});

defineKernel(ReverseSequence, (inputs, attrs, node) => {
  const x = required(inputs, 0, node);
  const lens = required(inputs, 1, node);
  const [batchAxis, timeAxis] = [attrs.batch_axis, attrs.time_axis];
  sequenceAxes(node, batchAxis, timeAxis);
  if (x.shape.length < 2) throw opError(node, `input must have rank 2 or more, found [${x.shape.join(', ')}]`);
  const [batch, time] = [x.shape[batchAxis]!, x.shape[timeAxis]!];
  if (lens.data.length !== batch) throw opError(node, `sequence_lens has ${lens.data.length} entries for batch ${batch}`);
  lens.data.forEach((len) => {
    if (len < 0 || len > time) throw opError(node, `sequence length ${len} is outside [0, ${time}]`);
  });
  const strides = stridesOf(x.shape);
  return [gatherByCoord(x, x.shape, (coord) => {
    const len = lens.data[coord[batchAxis]!]!;
    const t = coord[timeAxis]!;
    const from = t < len ? len - 1 - t : t;
    return coord.reduce((acc, c, i) => acc + (i === timeAxis ? from : c) * strides[i]!, 0);
  })];
});
