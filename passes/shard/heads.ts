// Which attention heads each tensor-parallel rank computes.
//
// q heads are split into N contiguous blocks. kv heads are split the same way when N
// divides them; otherwise (grouped-query attention with fewer kv heads than ranks, like
// llama's 2 kv heads on 4 ranks) they are replicated: each rank keeps the kv heads its
// own q heads read, so one kv head lives on several ranks (vLLM does the same).
// solder::Attention maps local q head i to local kv head floor(i / (qLocal / kvLocal));
// `assignHeads` checks that this lands on the kv head the unsharded graph used,
// floor(h / (qHeads / kvHeads)) for the global q head h.
import { SolderError } from '../../ir/errors.js';

export interface RankHeads {
  /** Global q head indices this rank computes, in order. */
  readonly q: readonly number[];
  /** Global kv head indices this rank holds, in order (repeats allowed when replicating). */
  readonly kv: readonly number[];
  /** True when kv heads are split across ranks, false when replicated. */
  readonly kvSplit: boolean;
}

/** The q and kv heads of one rank; a SolderError naming the node when the heads cannot be split. */
export function assignHeads(qHeads: number, kvHeads: number, ranks: number, rank: number, node: string): RankHeads {
  const place = { node, op: 'Attention' };
  if (qHeads % ranks !== 0) {
    throw new SolderError(`cannot split ${qHeads} attention heads over ${ranks} ranks: the head count must be a multiple of the rank count`, place);
  }
  if (kvHeads < 1 || qHeads % kvHeads !== 0) throw new SolderError(`q heads (${qHeads}) are not a multiple of kv heads (${kvHeads})`, place);
  const qLocal = qHeads / ranks;
  const q = range(rank * qLocal, qLocal);
  const group = qHeads / kvHeads;
  const kvSplit = kvHeads % ranks === 0;
  const kv = kvSplit ? range((rank * kvHeads) / ranks, kvHeads / ranks) : replicatedKv(q.map((h) => Math.floor(h / group)));
  checkGroupMapping(q, kv, group, place);
  return { q, kv, kvSplit };
}

/** The kv heads a rank's q heads read: each once when they read it equally often, else one per q head. */
function replicatedKv(needed: readonly number[]): number[] {
  const distinct = [...new Set(needed)];
  const counts = distinct.map((h) => needed.filter((x) => x === h).length);
  return counts.every((c) => c === counts[0]) ? distinct : [...needed];
}

/** Local q head i must read local kv head floor(i / localGroup), which must be global kv head floor(q[i] / group). */
function checkGroupMapping(q: readonly number[], kv: readonly number[], group: number, place: { node: string; op: string }): void {
  const problem = (detail: string) => new SolderError(`grouped-query heads cannot be sharded this way: ${detail}`, place);
  if (q.length % kv.length !== 0) throw problem(`${q.length} local q heads over ${kv.length} local kv heads`);
  const localGroup = q.length / kv.length;
  q.forEach((h, i) => {
    const reads = kv[Math.floor(i / localGroup)];
    const want = Math.floor(h / group);
    if (reads !== want) throw problem(`q head ${h} would read kv head ${reads}, not ${want}`);
  });
}

function range(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i);
}
