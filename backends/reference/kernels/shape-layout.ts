// Reference kernels: Tile, Pad, SpaceToDepth, DepthToSpace.
import { DepthToSpace, Pad, type PadMode, SpaceToDepth, Tile, depthToSpaceDims, padAmounts, padDims, padMode, spaceToDepthDims, tileDims } from '../../../ir/ops/shape-layout.js';
import { scalarValue } from '../../../ir/ops/shape-inputs.js';
import { opError } from '../../../ir/ops/shape-util.js';
import type { Node } from '../../../ir/graph.js';
import type { Tensor } from '../../../ir/tensor.js';
import { defineKernel } from '../kernel.js';
import { gatherByCoord, offsetOf, stridesOf } from '../strides.js';
import { concreteShape, required, valuesOf } from './args.js';

defineKernel(Tile, (inputs, _attrs, node) => {
  const x = required(inputs, 0, node);
  const shape = concreteShape(node, tileDims(node, x.shape, valuesOf(required(inputs, 1, node))));
  const strides = stridesOf(x.shape);
  return [gatherByCoord(x, shape, (coord) => coord.reduce((acc, c, i) => acc + (c % x.shape[i]!) * strides[i]!, 0))];
});

const mod = (a: number, n: number) => ((a % n) + n) % n;

/** Where a position outside [0, length) reads from in the kept (uncropped) part of an axis, or -1 for the constant. */
function padSource(mode: PadMode, c: number, length: number): number {
  switch (mode) {
    case 'constant': return -1;
    case 'edge': return Math.min(Math.max(c, 0), length - 1);
    case 'wrap': return mod(c, length);
    case 'reflect': {
      // Mirror without repeating the edge; pads longer than the axis keep bouncing.
      if (length === 1) return 0;
      const period = 2 * (length - 1);
      const m = mod(c, period);
      return m < length ? m : period - m;
    }
  }
}

defineKernel(Pad, (inputs, attrs, node) => {
  const x = required(inputs, 0, node);
  const mode = padMode(node, attrs.mode);
  const axes = inputs[3] === undefined ? undefined : valuesOf(inputs[3]);
  const { before, after } = padAmounts(node, x.shape.length, valuesOf(required(inputs, 1, node)), axes);
  const shape = concreteShape(node, padDims(node, x.shape, before, after));
  const fill = inputs[2] === undefined || inputs[2].data.length === 0 ? 0 : scalarValue(node, inputs[2], 'constant_value');
  // Negative pads crop first; the kept part of each axis is [lo, lo + length) and padding reads from it.
  const lo = before.map((b) => Math.max(0, -b));
  const kept = x.shape.map((d, i) => d - lo[i]! - Math.max(0, -after[i]!));
  const lead = before.map((b) => Math.max(0, b));
  x.shape.forEach((_, i) => {
    if (kept[i] === 0 && shape[i]! > 0 && mode !== 'constant') throw opError(node, `cannot ${mode}-pad axis ${i}, which is empty`);
  });
  const strides = stridesOf(x.shape);
  return [gatherByCoord(x, shape, (coord) => {
    let offset = 0;
    for (let i = 0; i < coord.length; i++) {
      let c = coord[i]! - lead[i]!;
      if (c < 0 || c >= kept[i]!) c = padSource(mode, c, kept[i]!);
      if (c < 0) return -1;
      offset += (lo[i]! + c) * strides[i]!;
    }
    return offset;
  }, fill)];
});

/** Shared body of the block rearrangements: output [n, c, h, w] reads input channel/row/col from `source`. */
function rearrangeBlocks(node: Node, x: Tensor, shape: readonly number[], source: (c: number, h: number, w: number) => [number, number, number]): Tensor {
  if (x.shape.length !== 4) throw opError(node, `input must be 4-D NCHW, found [${x.shape.join(', ')}]`);
  const strides = stridesOf(x.shape);
  return gatherByCoord(x, shape, ([n, c, h, w]) => offsetOf([n!, ...source(c!, h!, w!)], strides));
}

defineKernel(SpaceToDepth, (inputs, attrs, node) => {
  const x = required(inputs, 0, node);
  const b = attrs.blocksize;
  const shape = concreteShape(node, spaceToDepthDims(node, x.shape, b));
  const channels = x.shape[1]!;
  // Output channel (bh * b + bw) * C + c holds input channel c at row h*b + bh, column w*b + bw.
  return [rearrangeBlocks(node, x, shape, (oc, h, w) => {
    const c = oc % channels;
    const block = Math.floor(oc / channels);
    return [c, h * b + Math.floor(block / b), w * b + (block % b)];
  })];
});

defineKernel(DepthToSpace, (inputs, attrs, node) => {
  const x = required(inputs, 0, node);
  const b = attrs.blocksize;
  const shape = concreteShape(node, depthToSpaceDims(node, x.shape, b));
  const channels = shape[1]!;
  const dcr = attrs.mode === 'DCR';
  if (!dcr && attrs.mode !== 'CRD') throw opError(node, `mode must be DCR or CRD, found '${attrs.mode}'`);
  // DCR: input channel (i * b + j) * C + c; CRD: c * b * b + i * b + j; for output row h*b + i, column w*b + j.
  return [rearrangeBlocks(node, x, shape, (c, oh, ow) => {
    const [i, j] = [oh % b, ow % b];
    const ic = dcr ? (i * b + j) * channels + c : c * b * b + i * b + j;
    return [ic, Math.floor(oh / b), Math.floor(ow / b)];
  })];
});
