// Reference kernels: ArgMax and ArgMin. Like numpy, a NaN beats every number (the first
// NaN wins, or the last with select_last_index), so a NaN in a row is never hidden.
import { ArgMax, ArgMin, reducedDims } from '../../../ir/ops/reduce.js';
import { normalizeAxis, opError } from '../../../ir/ops/shape-util.js';
import type { OpSpec } from '../../../ir/ops/spec.js';
import { allocData, numel } from '../../../ir/tensor.js';
import { defineCheckedKernel } from './checked-kernel.js';
import { required } from './args.js';

/** > 0 when candidate beats best, 0 on a tie, for the ordering `better` describes. */
type Compare = (candidate: number, best: number) => number;

const nanFirst = (better: (a: number, b: number) => boolean): Compare => (c, b) => {
  const cn = Number.isNaN(c);
  const bn = Number.isNaN(b);
  if (cn || bn) return cn && bn ? 0 : cn ? 1 : -1;
  return better(c, b) ? 1 : better(b, c) ? -1 : 0;
};

function argKernel(spec: OpSpec<typeof ArgMax.attrs>, compare: Compare): void {
  defineCheckedKernel(spec, (inputs, attrs, node) => {
    const x = required(inputs, 0, node);
    const axis = normalizeAxis(node, attrs.axis, x.shape.length);
    const length = x.shape[axis]!;
    const shape = reducedDims(x.shape, [axis], attrs.keepdims !== 0);
    const data = allocData('int64', numel(shape));
    if (length === 0 && data.length > 0) throw opError(node, `cannot take ${node.op} over axis ${axis}, which is empty`);
    const inner = numel(x.shape.slice(axis + 1));
    const takeTies = attrs.select_last_index !== 0;
    const xd = x.data;
    for (let o = 0; o < data.length; o++) {
      const start = Math.floor(o / inner) * length * inner + (o % inner);
      let best = 0;
      for (let k = 1; k < length; k++) {
        const c = compare(xd[start + k * inner]!, xd[start + best * inner]!);
        if (c > 0 || (c === 0 && takeTies)) best = k;
      }
      data[o] = best;
    }
    return [{ dtype: 'int64', shape, data }];
  });
}

argKernel(ArgMax, nanFirst((a, b) => a > b));
argKernel(ArgMin, nanFirst((a, b) => a < b));
