// The offsets a sliding window reads: for every (output position, kernel position) pair,
// the flat input offset within one [spatial...] plane, or a negative marker when it falls
// in padding. Computed once per call, then reused for every batch and channel.
import type { Window } from '../../../ir/ops/window.js';
import { spanSize } from './nn-args.js';

/** Marks a cell in the explicit (or auto) padding. */
export const IN_PADDING = -1;
/** Marks a cell past the padding (only ceil_mode windows reach it); pools never count it. */
export const PAST_PADDING = -2;

export interface WindowTable {
  readonly outputs: number;
  readonly taps: number;
  /** offsets[o * taps + t]: input offset, IN_PADDING or PAST_PADDING. */
  readonly offsets: Int32Array;
}

/** The table for a window over input spatial sizes `sizes` producing `outSizes`, with begin/end pads. */
export function windowTable(win: Window, sizes: readonly number[], outSizes: readonly number[], padBegin: readonly number[], padEnd: readonly number[]): WindowTable {
  const rank = sizes.length;
  const outputs = spanSize(outSizes, 0);
  const taps = spanSize(win.kernel, 0);
  const offsets = new Int32Array(outputs * taps);
  const out = new Array<number>(rank).fill(0);
  const tap = new Array<number>(rank).fill(0);
  for (let o = 0; o < outputs; o++) {
    tap.fill(0);
    for (let t = 0; t < taps; t++) {
      let offset = 0;
      let marker = 0;
      for (let d = 0; d < rank; d++) {
        const p = out[d]! * win.strides[d]! - padBegin[d]! + tap[d]! * win.dilations[d]!;
        if (p < 0 || p >= sizes[d]!) {
          marker = p < -padBegin[d]! || p >= sizes[d]! + padEnd[d]! ? PAST_PADDING : Math.min(marker, IN_PADDING);
          if (marker === PAST_PADDING) break;
        }
        offset = offset * sizes[d]! + p;
      }
      offsets[o * taps + t] = marker < 0 ? marker : offset;
      increment(tap, win.kernel);
    }
    increment(out, outSizes);
  }
  return { outputs, taps, offsets };
}

function increment(coord: number[], shape: readonly number[]): void {
  for (let d = coord.length - 1; d >= 0; d--) {
    if (++coord[d]! < shape[d]!) return;
    coord[d] = 0;
  }
}
