// Lazy, per-group layout: each expanded group is laid out on its own (its children as
// fixed-size boxes), only when it is open, and cached until a child changes size. Opening
// a group therefore re-lays out that group and its ancestors, never the whole graph.
import type { ElkClient, ElkNode, ElkPoint } from './elk.js';
import { quickLayout } from './quick-layout.js';
import type { GraphTree, GroupItem, Item, NodeItem, TreeEdge } from './tree.js';

export interface Size { readonly width: number; readonly height: number }
export interface Placed extends Size { readonly x: number; readonly y: number }

/** A short arrow into a node that reads a widely used value; its source is named on hover. */
export interface Stub {
  readonly points: readonly ElkPoint[];
  readonly from: Item;
}

export interface GroupLayout extends Size {
  readonly placed: ReadonlyMap<Item, Placed>;
  readonly edges: readonly (readonly ElkPoint[])[];
  readonly stubs: readonly Stub[];
}

/**
 * A value read by more than this many siblings (the attention mask, rotary tables) is drawn
 * as stubs at its readers, as TensorBoard does: routing every such edge multiplies ELK's
 * dummy nodes (seconds, not milliseconds, for llama's 32 layers) and hides everything else.
 */
export const FANOUT_LIMIT = 6;

/** The edges ELK routes, and the rest of each wide fan-out (drawn as stubs); the first reader of a fan-out stays routed. */
export function splitFanOut(edges: readonly TreeEdge[]): { routed: TreeEdge[]; stubbed: TreeEdge[] } {
  const degree = new Map<Item, number>();
  for (const e of edges) degree.set(e.from, (degree.get(e.from) ?? 0) + 1);
  const seen = new Set<Item>();
  const routed: TreeEdge[] = [];
  const stubbed: TreeEdge[] = [];
  for (const e of edges) {
    if ((degree.get(e.from) ?? 0) <= FANOUT_LIMIT || !seen.has(e.from)) routed.push(e);
    else stubbed.push(e);
    seen.add(e.from);
  }
  return { routed, stubbed };
}

const STUB_LENGTH = 12;

export function stubsFor(stubbed: readonly TreeEdge[], placed: ReadonlyMap<Item, Placed>): Stub[] {
  const perTarget = new Map<Item, number>();
  const out: Stub[] = [];
  for (const e of stubbed) {
    const at = placed.get(e.to);
    if (at === undefined) continue;
    const k = perTarget.get(e.to) ?? 0;
    perTarget.set(e.to, k + 1);
    const x = at.x + Math.min(at.width - 6, 10 + 7 * k);
    out.push({ from: e.from, points: [{ x, y: at.y - STUB_LENGTH }, { x, y: at.y }] });
  }
  return out;
}

export const GROUP_HEADER = 22;
export const GROUP_PAD = 8;
export const NODE_HEIGHT = 34;
export const COLLAPSED_HEIGHT = 38;
export const LABEL_CHARS = 28;

const OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.spacing.nodeNode': '14',
  'elk.layered.spacing.nodeNodeBetweenLayers': '26',
  'elk.spacing.edgeNode': '10',
  'elk.padding': '[top=6,left=6,bottom=6,right=6]',
  // Thoroughness trades crossing minimisation for time; 3 of 7 keeps large groups interactive.
  'elk.layered.thoroughness': '3',
};

/** The short name drawn under a node's op: its last path segment, without the exporter's `node_`. */
export function shortName(name: string): string {
  const last = name.split('/').filter((s) => s !== '').pop() ?? name;
  return last.startsWith('node_') ? last.slice('node_'.length) : last;
}

export function groupSubtitle(g: GroupItem): string {
  const changed = g.changes > 0 ? ` · ${g.changes} changed` : '';
  return `${g.nodeCount} node${g.nodeCount === 1 ? '' : 's'}${changed}`;
}

// Text is measured by estimate: real measurement would force a DOM layout per label.
const textWidth = (s: string, px: number): number => Math.min(s.length, LABEL_CHARS) * px;

export function nodeSize(n: NodeItem): Size {
  const w = Math.max(textWidth(n.node.op, 7.2), textWidth(shortName(n.node.name), 6.2));
  return { width: Math.max(64, Math.ceil(w + 16)), height: NODE_HEIGHT };
}

export function collapsedSize(g: GroupItem): Size {
  const w = Math.max(textWidth(g.label, 7.2), textWidth(groupSubtitle(g), 6.2));
  return { width: Math.max(90, Math.ceil(w + 20)), height: COLLAPSED_HEIGHT };
}

/** An open group's box: its laid-out children plus frame and header. */
function openSize(group: GroupItem, l: GroupLayout): Size {
  return { width: Math.max(l.width, collapsedSize(group).width) + 2 * GROUP_PAD, height: l.height + GROUP_HEADER + GROUP_PAD };
}

interface Entry {
  readonly key: string;
  readonly promise: Promise<GroupLayout>;
  value?: GroupLayout;
}

export class Layouts {
  private readonly cache = new Map<GroupItem, Entry>();
  constructor(
    private readonly elk: ElkClient,
    private readonly tree: GraphTree,
    private readonly isExpanded: (g: GroupItem) => boolean,
  ) {}

  /** The size an item takes inside its parent, laying it out first when it is an open group. */
  async size(item: Item): Promise<Size> {
    if (item.kind === 'node') return nodeSize(item);
    if (!this.isExpanded(item)) return collapsedSize(item);
    return openSize(item, await this.layout(item));
  }

  /** Provisional layouts of every open group, computed at once on this thread (quick-layout.ts). */
  provisional(root: GroupItem): Map<GroupItem, GroupLayout> {
    const out = new Map<GroupItem, GroupLayout>();
    const visit = (group: GroupItem): GroupLayout => {
      const sizes = group.children.map((c) => (c.kind === 'node' ? nodeSize(c) : !this.isExpanded(c) ? collapsedSize(c) : openSize(c, visit(c))));
      const l = quickLayout(group.children, sizes, this.tree.edgesWithin(group));
      out.set(group, l);
      return l;
    };
    visit(root);
    return out;
  }

  /** The layout of a group's children, with its open subgroups laid out first. */
  async layout(group: GroupItem): Promise<GroupLayout> {
    const sizes = await Promise.all(group.children.map((c) => this.size(c)));
    const key = sizes.map((s) => `${s.width}x${s.height}`).join(',');
    const cached = this.cache.get(group);
    if (cached !== undefined && cached.key === key) return cached.promise;
    const entry: Entry = { key, promise: this.run(group, sizes) };
    this.cache.set(group, entry);
    try {
      entry.value = await entry.promise;
    } catch (e) {
      // A failed layout is not cached: the next refresh tries again.
      if (this.cache.get(group) === entry) this.cache.delete(group);
      throw e;
    }
    return entry.value;
  }

  /** The finished layout of a group, if it has one for its current children's sizes. */
  current(group: GroupItem): GroupLayout | undefined {
    return this.cache.get(group)?.value;
  }

  private async run(group: GroupItem, sizes: readonly Size[]): Promise<GroupLayout> {
    const { routed: edges, stubbed } = splitFanOut(this.tree.edgesWithin(group));
    const graph: ElkNode = {
      id: group.id,
      layoutOptions: OPTIONS,
      children: group.children.map((c, i) => ({ id: c.id, width: sizes[i]?.width ?? 0, height: sizes[i]?.height ?? 0 })),
      edges: edges.map((e, i) => ({ id: `e${i}`, sources: [e.from.id], targets: [e.to.id] })),
    };
    const out = await this.elk.layout(graph);
    const byId = new Map<string, Item>(group.children.map((c) => [c.id, c]));
    const placed = new Map<Item, Placed>();
    for (const c of out.children ?? []) {
      const item = byId.get(c.id);
      if (item !== undefined) placed.set(item, { x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 });
    }
    const routes = (out.edges ?? []).flatMap((e) => (e.sections ?? []).map((s) => [s.startPoint, ...(s.bendPoints ?? []), s.endPoint]));
    return { width: out.width ?? 0, height: out.height ?? 0, placed, edges: routes, stubs: stubsFor(stubbed, placed) };
  }
}
