// Conv as im2col + GEMM: a generated kernel copies every output position's receptive field
// into a row of a [positions, C * k1 * ... * kn] patch matrix, and the library GEMM multiplies
// it by the weight laid out [C * k..., out] with the bias fused. ViT's patch embedding
// (stride == kernel, no padding) is a pure copy; padded windows read zeros outside the input.
import { type Dim, dimProduct, isKnown } from '../../ir/dim.js';
import type { Node } from '../../ir/graph.js';
import { Conv, convWindow } from '../../ir/ops/conv.js';
import { opError } from '../../ir/ops/shape-util.js';
import { readAttrs } from '../../ir/ops/spec.js';
import { type Window, beginPads, endPads } from '../../ir/ops/window.js';
import { type Idx, type KernelBody, ZERO, and } from './emit.js';
import type { Val } from './elementwise.js';
import { literal } from './elementwise.js';
import type { Lowering } from './lower.js';
import { provenance } from './sanitize.js';
import { type View, moveView } from './views.js';
import { composed, flat, rowsOf, transposed } from './weights.js';

/** Lowers a Conv (group 1, any spatial rank, strides, dilations, explicit or VALID pads). */
export function lowerConv(L: Lowering, node: Node): void {
  const [x, w, b] = [node.inputs[0]!, node.inputs[1]!, node.inputs[2] || undefined];
  const attrs = readAttrs(Conv, node);
  if (attrs.group !== 1) throw opError(node, `Conv with group ${attrs.group} is not supported by the Triton backend (group 1 only)`);
  if (!L.isConstant(w) || (b !== undefined && !L.isConstant(b))) throw opError(node, 'Conv weight and bias must be constants (initializers) for the Triton backend');
  const xShape = L.shape(x);
  const wShape = L.shape(w);
  const yShape = L.shape(node.outputs[0]!);
  const win = convWindow(node, xShape, wShape, attrs)!;
  const sizes = xShape.slice(2);
  const { begin, end } = padsOf(node, win, sizes);
  checkBucketPadding(L, node, x, sizes, end);
  const padded = [...begin, ...end].some((p) => p !== 0);
  const geometry: Geometry = { kernel: win.kernel, strides: win.strides, dilations: win.dilations, pads: begin, padded, sizes };

  // patches[n, o1..on, c, t1..tn] = x[n, c, o_d * stride_d + t_d * dilation_d - pad_d]
  const positions = [yShape[0]!, ...yShape.slice(2)];
  const receptive = [xShape[1]!, ...win.kernel];
  const patches = L.newBuffer(`${node.outputs[0]!}.patches`, [...positions, ...receptive], L.planDtype);
  L.pointwise(`patches of ${node.name}`, patches, (k, idx, mask) => patchValue(k, x, geometry, idx, mask));

  const rows = dimProduct(positions);
  const outChannels = yShape[1]!;
  const channelsLast = L.newBuffer(`${node.outputs[0]!}.channels_last`, [...positions, outChannels], L.planDtype);
  const asMatrix = (v: View, cols: Dim) => moveView(v, { kind: 'reshape', from: v.shape, out: [rows, cols] })!;
  const args: Record<string, { view: View }> = {
    x: { view: asMatrix(patches, dimProduct(receptive)) },
    weight: { view: L.weightView(w, composed(rowsOf, transposed)) },
    out: { view: asMatrix(channelsLast, outChannels) },
  };
  if (b !== undefined) args.bias = { view: L.weightView(b, flat) };
  L.push({ kernel: 'gemm', name: provenance(node.name), args, attrs: {} });

  // Y [n, out, o1..on] is the channels-last result seen through a transpose: no copy.
  const r = yShape.length;
  const perm = [0, r - 1, ...Array.from({ length: r - 2 }, (_, d) => d + 1)];
  L.setStored(node.outputs[0]!, moveView(channelsLast, { kind: 'transpose', perm, out: yShape })!);
}

// Begin and end pads per spatial dim (auto_pad resolved); SAME needs known sizes.
function padsOf(node: Node, win: Window, sizes: readonly Dim[]): { begin: number[]; end: number[] } {
  const rank = sizes.length;
  if (win.autoPad === 'VALID') return { begin: new Array<number>(rank).fill(0), end: new Array<number>(rank).fill(0) };
  if (win.autoPad === 'NOTSET') return { begin: win.pads.slice(0, rank), end: win.pads.slice(rank) };
  const known = sizes.filter(isKnown);
  if (known.length !== rank) throw opError(node, `Conv with auto_pad=${win.autoPad} over symbolic spatial sizes is not supported by the Triton backend`);
  return { begin: beginPads(win, known), end: endPads(win, known) };
}

// The runtime rounds symbolic dims up to a bucket, and the rows it adds hold whatever the
// producer computes there. A window that runs past the end of such a dim would read them
// where the model reads zero padding; only a graph input (staged with zeros there) is safe.
function checkBucketPadding(L: Lowering, node: Node, x: string, sizes: readonly Dim[], end: readonly number[]): void {
  const f = L.form(x);
  if (f.kind === 'stored' && f.view.source.kind === 'input') return;
  sizes.forEach((size, d) => {
    if (isKnown(size) || end[d] === 0) return;
    throw opError(node, `Conv pads the end of symbolic dim '${size.expr}' of a computed input: the runtime's bucket padding rows would be read as data; not supported by the Triton backend`);
  });
}

interface Geometry {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  /** Begin pads: window position 0 starts this far before the input. */
  readonly pads: readonly number[];
  readonly padded: boolean;
  readonly sizes: readonly Dim[];
}

// One patch element: the input at its window position, or 0 where the window hangs over the padding.
function patchValue(k: KernelBody, x: string, g: Geometry, idx: readonly Idx[], mask: string): Val {
  const n = g.sizes.length;
  const [batch, channel] = [idx[0]!, idx[1 + n]!];
  const inside: string[] = [];
  const spatial: Idx[] = [];
  for (let d = 0; d < n; d++) {
    const [pos, tap] = [idx[1 + d]!, idx[2 + n + d]!];
    const terms = [scaledIdx(pos, g.strides[d]!), scaledIdx(tap, g.dilations[d]!)].filter((t) => t !== undefined);
    // Output and kernel both 1 wide here: the one window element sits at -pad, in the padding when pad > 0.
    if (terms.length === 0) {
      if (g.pads[d] !== 0) return { code: literal(0, 'float32'), dtype: 'float32', tile: false };
      spatial.push(ZERO);
      continue;
    }
    const at = k.bindIdx([...terms, ...(g.pads[d] === 0 ? [] : [String(-g.pads[d]!)])].join(' + '), pos.tile || tap.tile);
    if (!g.padded) {
      spatial.push(at);
      continue;
    }
    const size = k.dim(g.sizes[d]!);
    inside.push(`(${at.code} >= 0) & (${at.code} < ${size})`);
    // Clamped so that the address stays inside the input whatever the mask; the where() below zeroes it.
    spatial.push(k.bindIdx(`tl.minimum(tl.maximum(${at.code}, 0), ${size} - 1)`, at.tile));
  }
  if (inside.length === 0) return k.valueAt(x, [batch, channel, ...spatial], mask);
  const within = k.bindIdx(inside.join(' & '), true);
  const v = k.valueAt(x, [batch, channel, ...spatial], and(mask, within.code));
  return k.bind(`tl.where(${within.code}, ${v.code}, ${literal(0, 'float32')})`, 'float32', true);
}

function scaledIdx(i: Idx, factor: number): string | undefined {
  if (i.code === '0') return undefined;
  return factor === 1 ? i.code : `${i.code} * ${factor}`;
}
