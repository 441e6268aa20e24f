// Sliding-window geometry shared by Conv, ConvTranspose and the pools: kernel size,
// strides, dilations and pads (explicit or auto_pad), and the output size they give.
import { type Dim, dimAdd, dimDiv, isKnown } from '../dim.js';
import type { Node } from '../graph.js';
import { freshDim } from './shape-inputs.js';
import { opError } from './shape-util.js';

export const AUTO_PADS = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'] as const;
export type AutoPad = (typeof AUTO_PADS)[number];

/** Window attributes as the node gives them (absent lists default to ones and zeros). */
export interface WindowAttrs {
  readonly auto_pad: string;
  readonly kernel_shape?: readonly number[] | undefined;
  readonly strides?: readonly number[] | undefined;
  readonly dilations?: readonly number[] | undefined;
  readonly pads?: readonly number[] | undefined;
}

/** Resolved window over `rank` spatial dims; pads are [begin..., end...] and only fixed for NOTSET/VALID. */
export interface Window {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly autoPad: AutoPad;
  readonly pads: readonly number[];
}

function listOf(node: Node, name: string, given: readonly number[] | undefined, length: number, fill: number, min: number): number[] {
  if (given === undefined) return new Array<number>(length).fill(fill);
  if (given.length !== length) throw opError(node, `${name} has ${given.length} entries, expected ${length}`);
  if (given.some((v) => !Number.isInteger(v) || v < min)) throw opError(node, `${name} [${given.join(', ')}] must hold integers >= ${min}`);
  return [...given];
}

/** Checks and defaults the window attributes for `rank` spatial dims and the given kernel size. */
export function resolveWindow(node: Node, attrs: WindowAttrs, rank: number, kernel: readonly number[]): Window {
  const autoPad = AUTO_PADS.find((p) => p === attrs.auto_pad);
  if (autoPad === undefined) throw opError(node, `auto_pad '${attrs.auto_pad}' is not one of ${AUTO_PADS.join(', ')}`);
  const pads = listOf(node, 'pads', attrs.pads, 2 * rank, 0, 0);
  if (autoPad !== 'NOTSET' && pads.some((p) => p !== 0)) throw opError(node, `pads and auto_pad=${autoPad} cannot both be given`);
  return {
    kernel: listOf(node, 'kernel_shape', kernel, rank, 1, 1),
    strides: listOf(node, 'strides', attrs.strides, rank, 1, 1),
    dilations: listOf(node, 'dilations', attrs.dilations, rank, 1, 1),
    autoPad,
    pads,
  };
}

/** The extent a dilated kernel covers. */
export function kernelExtent(w: Window, d: number): number {
  return (w.kernel[d]! - 1) * w.dilations[d]! + 1;
}

/** Output size along spatial dim d, for a concrete or symbolic input size. */
export function windowOutputDim(node: Node, w: Window, d: number, size: Dim, ceilMode: boolean): Dim {
  if (isKnown(size)) return concreteOutput(node, w, d, size, ceilMode);
  const stride = w.strides[d]!;
  if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') return stride === 1 ? size : freshDim(node, `s${d}`);
  const pads = w.autoPad === 'VALID' ? 0 : w.pads[d]! + w.pads[d + w.kernel.length]!;
  const span = dimAdd(size, pads - kernelExtent(w, d));
  if (stride === 1) return dimAdd(span, 1);
  const q = dimDiv(span, stride);
  return q !== undefined && !ceilMode ? dimAdd(q, 1) : freshDim(node, `s${d}`);
}

function concreteOutput(node: Node, w: Window, d: number, size: number, ceilMode: boolean): number {
  const stride = w.strides[d]!;
  if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') return Math.ceil(size / stride);
  const begin = w.autoPad === 'VALID' ? 0 : w.pads[d]!;
  const end = w.autoPad === 'VALID' ? 0 : w.pads[d + w.kernel.length]!;
  const span = size + begin + end - kernelExtent(w, d);
  if (span < 0) throw opError(node, `kernel extent ${kernelExtent(w, d)} is larger than the padded input ${size + begin + end} in spatial dim ${d}`);
  let out = (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  // ceil_mode: a window that would start in the right padding is dropped (as PyTorch and ONNX do).
  if (ceilMode && (out - 1) * stride >= size + begin) out--;
  return out;
}

/** The begin pads actually used for concrete input sizes (auto_pad resolved). */
export function beginPads(w: Window, sizes: readonly number[]): number[] {
  return sizes.map((size, d) => {
    if (w.autoPad === 'VALID') return 0;
    if (w.autoPad === 'NOTSET') return w.pads[d]!;
    const out = Math.ceil(size / w.strides[d]!);
    const total = Math.max(0, (out - 1) * w.strides[d]! + kernelExtent(w, d) - size);
    return w.autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
  });
}

/** The end pads actually used for concrete input sizes (auto_pad resolved). */
export function endPads(w: Window, sizes: readonly number[]): number[] {
  const begin = beginPads(w, sizes);
  return sizes.map((size, d) => {
    if (w.autoPad === 'VALID') return 0;
    if (w.autoPad === 'NOTSET') return w.pads[d + sizes.length]!;
    const out = Math.ceil(size / w.strides[d]!);
    return Math.max(0, (out - 1) * w.strides[d]! + kernelExtent(w, d) - size) - begin[d]!;
  });
}
