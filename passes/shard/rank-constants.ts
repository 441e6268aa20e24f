// The initializers one rank graph adds: weight slices and rewritten shape constants,
// named after the original with a per-rank suffix (`w_qkv.rank1`), and made once
// even when several nodes share the original (exports deduplicate equal constants).
// Slices copy stored bytes, never decoded values: a 4096-wide layer's weights are tens of
// millions of elements, and an element-by-element decode made planning a rank take minutes.
import { byteSize } from '../../ir/dtype.js';
import { SolderError } from '../../ir/errors.js';
import { type Graph, type Initializer, initializerFromBytes, initializerFromTensor } from '../../ir/graph.js';
import { makeTensor } from '../../ir/tensor.js';
import type { NameSource } from '../edit.js';

export class RankConstants {
  readonly added: Initializer[] = [];
  private readonly made = new Map<string, string>();
  /** `names` is shared with the rest of the rank's rewrite, so that no two new names clash. */
  constructor(private readonly graph: Graph, readonly rank: number, private readonly names: NameSource) {}

  /** The picked columns of a [K, N] weight or the picked entries of an [N] bias. */
  columns(name: string, pick: readonly number[]): string {
    return this.derive(name, `columns:${pick.join(',')}`, (init) => {
      if (init.shape.length === 1) return slice(init, [pick.length], 1, 1, pick);
      const [k, n] = twoDims(name, init);
      return slice(init, [k, pick.length], k, n, pick);
    });
  }

  /** The picked rows of a [K, N] weight. */
  rows(name: string, pick: readonly number[]): string {
    return this.derive(name, `rows:${pick.join(',')}`, (init) => {
      const n = twoDims(name, init)[1];
      // Rows of [K, N] are the columns of a [1, K] array of n-element cells.
      return slice(init, [pick.length, n], 1, init.shape[0] as number, pick, n);
    });
  }

  /** An int64 vector constant (a Reshape target, Split sizes, Slice bounds). */
  ints(base: string, values: readonly number[]): string {
    const key = `${base}\u0000ints:${values.join(',')}`;
    return this.remember(key, base, (name) => initializerFromTensor(name, makeTensor('int64', [values.length], values)));
  }

  private derive(base: string, how: string, make: (init: Initializer) => { shape: number[]; bytes: Uint8Array }): string {
    return this.remember(`${base}\u0000${how}`, base, (name) => {
      const init = this.graph.initializers.get(base);
      if (init === undefined) throw new SolderError(`cannot shard '${base}': it is not an initializer (weights must be constants)`);
      const { shape, bytes } = make(init);
      return initializerFromBytes(name, init.dtype, shape, bytes);
    });
  }

  private remember(key: string, base: string, make: (name: string) => Initializer): string {
    const known = this.made.get(key);
    if (known !== undefined) return known;
    const name = this.names.fresh(`${base}.rank${this.rank}`);
    this.added.push(make(name));
    this.made.set(key, name);
    return name;
  }
}

function twoDims(name: string, init: Initializer): [number, number] {
  if (init.shape.length !== 2) throw new SolderError(`cannot shard weight '${name}': expected [K, N], found [${init.shape.join(', ')}]`);
  return [init.shape[0] as number, init.shape[1] as number];
}

/**
 * The picked columns of a [rows, width] array of cells of `cell` elements, as bytes;
 * consecutive picks are copied as one run.
 */
function slice(init: Initializer, shape: number[], rows: number, width: number, pick: readonly number[], cell = 1): { shape: number[]; bytes: Uint8Array } {
  const source = init.bytes.read();
  const cellBytes = byteSize(init.dtype) * cell;
  const out = new Uint8Array(rows * pick.length * cellBytes);
  let at = 0;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < pick.length; ) {
      let run = 1;
      while (i + run < pick.length && pick[i + run] === (pick[i] as number) + run) run++;
      const from = (r * width + (pick[i] as number)) * cellBytes;
      out.set(source.subarray(from, from + run * cellBytes), at);
      at += run * cellBytes;
      i += run;
    }
  }
  return { shape, bytes: out };
}
