// Head assignment: every q head on exactly one rank, and each local q head reads, through
// solder::Attention's floor(i / group) rule, the kv head it read before sharding.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignHeads } from './heads.js';

/** The global kv head local q head i reads on a rank, by the Attention op's own rule. */
function kvRead(q: readonly number[], kv: readonly number[], i: number): number {
  return kv[Math.floor(i / (q.length / kv.length))] as number;
}

describe('assignHeads', () => {
  it('keeps every q head on its kv head, split or replicated', () => {
    const layout = fc.record({ kvHeads: fc.integer({ min: 1, max: 8 }), group: fc.integer({ min: 1, max: 6 }), ranks: fc.integer({ min: 1, max: 8 }) })
      .filter((c) => (c.kvHeads * c.group) % c.ranks === 0);
    fc.assert(
      fc.property(layout, ({ kvHeads, group, ranks }) => {
        const qHeads = kvHeads * group;
        const seen: number[] = [];
        for (let rank = 0; rank < ranks; rank++) {
          const { q, kv, kvSplit } = assignHeads(qHeads, kvHeads, ranks, rank, 'att');
          expect(q.length).toBe(qHeads / ranks);
          expect(kvSplit).toBe(kvHeads % ranks === 0);
          q.forEach((h, i) => expect(kvRead(q, kv, i)).toBe(Math.floor(h / group)));
          seen.push(...q);
        }
        expect(seen).toEqual(Array.from({ length: qHeads }, (_, h) => h));
      }),
      { numRuns: 300 },
    );
  });

  it('splits llama\'s 2 kv heads over 2 ranks and replicates them over 4', () => {
    expect([0, 1].map((r) => assignHeads(4, 2, 2, r, 'att'))).toEqual([
      { q: [0, 1], kv: [0], kvSplit: true },
      { q: [2, 3], kv: [1], kvSplit: true },
    ]);
    expect([0, 1, 2, 3].map((r) => assignHeads(4, 2, 4, r, 'att').kv)).toEqual([[0], [0], [1], [1]]);
  });

  it('repeats kv heads per q head when a rank reads them unevenly', () => {
    // 6 q heads, 3 kv heads (group 2), 2 ranks: rank 0 has q 0,1,2 reading kv 0,0,1.
    expect(assignHeads(6, 3, 2, 0, 'att')).toEqual({ q: [0, 1, 2], kv: [0, 0, 1], kvSplit: false });
  });

  it('refuses head counts the ranks do not divide, naming the node', () => {
    expect(() => assignHeads(4, 2, 3, 0, 'layer0/attn')).toThrow(/node 'layer0\/attn' \(Attention\): cannot split 4 attention heads over 3 ranks/);
  });
});
