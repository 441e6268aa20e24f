// A provisional layered layout, computed on the main thread in milliseconds. It is drawn
// only while elkjs's worker starts up (its first layout pays for compiling elkjs, which
// takes seconds on a busy machine); ELK's layout replaces it as soon as it arrives.
import type { ElkPoint } from './elk.js';
import { type GroupLayout, type Placed, type Size, splitFanOut, stubsFor } from './layout.js';
import type { Item, TreeEdge } from './tree.js';

const PAD = 6;
const GAP_X = 14;
const GAP_Y = 26;

/** Rows by longest path (children come in graph order, so earlier-to-later edges go down), one barycenter pass. */
export function quickLayout(children: readonly Item[], sizes: readonly Size[], allEdges: readonly TreeEdge[]): GroupLayout {
  const { routed: edges, stubbed } = splitFanOut(allEdges);
  const index = new Map<Item, number>(children.map((c, i) => [c, i]));
  const preds: number[][] = children.map(() => []);
  for (const e of edges) {
    const a = index.get(e.from);
    const b = index.get(e.to);
    if (a !== undefined && b !== undefined && a < b) preds[b]?.push(a);
  }
  const layer = children.map(() => 0);
  for (let i = 0; i < children.length; i++) {
    for (const p of preds[i] ?? []) layer[i] = Math.max(layer[i] ?? 0, (layer[p] ?? 0) + 1);
  }
  const rows: number[][] = [];
  children.forEach((_, i) => (rows[layer[i] ?? 0] ??= []).push(i));

  const centre = new Map<number, number>();
  const placed = new Map<Item, Placed>();
  let y = PAD;
  let width = 0;
  const rowExtents: { row: number[]; xs: number[]; w: number; y: number }[] = [];
  for (const row of rows) {
    if (row === undefined) continue;
    const bary = (i: number): number => {
      const ps = (preds[i] ?? []).map((p) => centre.get(p)).filter((x): x is number => x !== undefined);
      return ps.length === 0 ? Number.POSITIVE_INFINITY : ps.reduce((s, x) => s + x, 0) / ps.length;
    };
    row.sort((a, b) => bary(a) - bary(b) || a - b);
    let x = 0;
    const xs: number[] = [];
    let h = 0;
    for (const i of row) {
      const s = sizes[i] ?? { width: 0, height: 0 };
      xs.push(x);
      centre.set(i, x + s.width / 2);
      x += s.width + GAP_X;
      h = Math.max(h, s.height);
    }
    rowExtents.push({ row, xs, w: x - GAP_X, y });
    width = Math.max(width, x - GAP_X);
    y += h + GAP_Y;
  }
  for (const { row, xs, w, y: top } of rowExtents) {
    const shift = PAD + (width - w) / 2;
    row.forEach((i, k) => {
      const s = sizes[i] ?? { width: 0, height: 0 };
      const item = children[i];
      if (item !== undefined) placed.set(item, { x: shift + (xs[k] ?? 0), y: top, width: s.width, height: s.height });
    });
  }
  const routes: ElkPoint[][] = [];
  for (const e of edges) {
    const a = placed.get(e.from);
    const b = placed.get(e.to);
    if (a !== undefined && b !== undefined) routes.push([{ x: a.x + a.width / 2, y: a.y + a.height }, { x: b.x + b.width / 2, y: b.y }]);
  }
  return { width: width + 2 * PAD, height: Math.max(y - GAP_Y + PAD, 2 * PAD), placed, edges: routes, stubs: stubsFor(stubbed, placed) };
}
