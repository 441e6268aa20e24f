// The initializers one rank graph adds: weight slices and rewritten shape constants,
// named after the original with a per-rank suffix (`w_qkv.rank1`), and made once
// even when several nodes share the original (exports deduplicate equal constants).
import { SolderError } from '../../ir/errors.js';
import { type Graph, type Initializer, initializerFromTensor } from '../../ir/graph.js';
import { type Tensor, makeTensor, tensorFromBytes } from '../../ir/tensor.js';
import type { NameSource } from '../edit.js';

export class RankConstants {
  readonly added: Initializer[] = [];
  private readonly made = new Map<string, string>();
  /** `names` is shared with the rest of the rank's rewrite, so that no two new names clash. */
  constructor(private readonly graph: Graph, readonly rank: number, private readonly names: NameSource) {}

  /** The picked columns of a [K, N] weight or the picked entries of an [N] bias. */
  columns(name: string, pick: readonly number[]): string {
    return this.derive(name, `columns:${pick.join(',')}`, (t) => {
      if (t.shape.length === 1) return gather(t, [pick.length], (i) => pick[i] as number);
      const [k, n] = twoDims(name, t);
      return gather(t, [k, pick.length], (i) => Math.floor(i / pick.length) * n + (pick[i % pick.length] as number));
    });
  }

  /** The picked rows of a [K, N] weight. */
  rows(name: string, pick: readonly number[]): string {
    return this.derive(name, `rows:${pick.join(',')}`, (t) => {
      const n = twoDims(name, t)[1];
      return gather(t, [pick.length, n], (i) => (pick[Math.floor(i / n)] as number) * n + (i % n));
    });
  }

  /** An int64 vector constant (a Reshape target, Split sizes, Slice bounds). */
  ints(base: string, values: readonly number[]): string {
    return this.derive(base, `ints:${values.join(',')}`, () => makeTensor('int64', [values.length], values), false);
  }

  private derive(base: string, how: string, make: (t: Tensor) => Tensor, readsBase = true): string {
    const key = `${base}\u0000${how}`;
    const known = this.made.get(key);
    if (known !== undefined) return known;
    const name = this.names.fresh(`${base}.rank${this.rank}`);
    this.added.push(initializerFromTensor(name, make(readsBase ? this.read(base) : emptyTensor)));
    this.made.set(key, name);
    return name;
  }

  private read(name: string): Tensor {
    const init = this.graph.initializers.get(name);
    if (init === undefined) throw new SolderError(`cannot shard '${name}': it is not an initializer (weights must be constants)`);
    return tensorFromBytes(init.dtype, init.shape, init.bytes.read());
  }
}

const emptyTensor = makeTensor('int64', [0]);

function twoDims(name: string, t: Tensor): [number, number] {
  if (t.shape.length !== 2) throw new SolderError(`cannot shard weight '${name}': expected [K, N], found [${t.shape.join(', ')}]`);
  return [t.shape[0] as number, t.shape[1] as number];
}

function gather(t: Tensor, shape: readonly number[], source: (i: number) => number): Tensor {
  const out = makeTensor(t.dtype, shape);
  for (let i = 0; i < out.data.length; i++) out.data[i] = t.data[source(i)] as number;
  return out;
}
