// The static memory plan. Every intermediate buffer is live from the first launch that
// touches it to the last; sizes are evaluated with every symbol at its max (a smaller shape
// bucket only shrinks buffers, so the same offsets stay valid), and buffers are placed in
// one arena by a greedy best-fit over the launch order: each buffer, in order of first use,
// takes the smallest gap left between the buffers live at the same time, or goes on top.

export interface BufferUse {
  readonly name: string;
  /** Bytes at the max sizes, before alignment. */
  readonly bytes: number;
  /** Launch indices of the first and last launch that reads or writes it (inclusive). */
  readonly first: number;
  readonly last: number;
}

export interface MemoryPlan {
  readonly offsets: ReadonlyMap<string, number>;
  /** Arena bytes. */
  readonly size: number;
  /** What giving every buffer its own memory would take (aligned, as in the arena). */
  readonly naive: number;
}

export const ARENA_ALIGNMENT = 256;

export function alignUp(n: number, alignment = ARENA_ALIGNMENT): number {
  return Math.ceil(n / alignment) * alignment;
}

function overlaps(a: BufferUse, b: BufferUse): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** Offsets for every buffer such that no two buffers live at the same launch share a byte. */
export function planMemory(uses: readonly BufferUse[], alignment = ARENA_ALIGNMENT): MemoryPlan {
  const order = [...uses].sort((a, b) => a.first - b.first || b.bytes - a.bytes || (a.name < b.name ? -1 : 1));
  const placed: { use: BufferUse; offset: number; end: number }[] = [];
  const offsets = new Map<string, number>();
  let size = 0;
  let naive = 0;
  for (const use of order) {
    const bytes = alignUp(Math.max(use.bytes, 1), alignment);
    naive += bytes;
    const live = placed.filter((p) => overlaps(p.use, use)).sort((a, b) => a.offset - b.offset);
    let best: { offset: number; gap: number } | undefined;
    let cursor = 0;
    for (const p of live) {
      const gap = p.offset - cursor;
      if (gap >= bytes && (best === undefined || gap < best.gap)) best = { offset: cursor, gap };
      cursor = Math.max(cursor, p.end);
    }
    const offset = best?.offset ?? cursor;
    placed.push({ use, offset, end: offset + bytes });
    offsets.set(use.name, offset);
    size = Math.max(size, offset + bytes);
  }
  return { offsets, size, naive };
}
