// The module tree the page draws: nodes folded into groups by their module path, with
// one-child chains merged, oversized groups split into chunks (so no single layout is
// huge), and every data edge assigned to the one group where its two ends diverge.
import type { GraphJson, NodeJson } from './protocol.js';

export interface GroupItem {
  readonly kind: 'group';
  readonly id: string;
  label: string;
  parent: GroupItem | undefined;
  children: Item[];
  depth: number;
  /** Nodes inside, at any depth. */
  nodeCount: number;
  /** Nodes inside whose diff status is not 'same'. */
  changes: number;
}

export interface NodeItem {
  readonly kind: 'node';
  readonly id: string;
  readonly node: NodeJson;
  parent: GroupItem;
  depth: number;
}

export type Item = GroupItem | NodeItem;

export interface TreeEdge {
  readonly from: Item;
  readonly to: Item;
}

/** Children beyond this are split into chunks of CHUNK_SIZE, in graph order. */
export const MAX_CHILDREN = 120;
const CHUNK_SIZE = 80;

export class GraphTree {
  readonly root: GroupItem;
  readonly byName = new Map<string, NodeItem>();
  private readonly edges = new Map<GroupItem, TreeEdge[]>();
  private groupCount = 0;

  constructor(readonly graph: GraphJson) {
    this.root = this.newGroup(graph.name === '' ? 'graph' : graph.name, undefined);
    this.build();
    simplify(this.root);
    this.chunk(this.root);
    annotate(this.root, 0);
    this.assignEdges();
  }

  /** Edges between the direct children of a group. */
  edgesWithin(group: GroupItem): readonly TreeEdge[] {
    return this.edges.get(group) ?? [];
  }

  /** The groups that contain a node, outermost first (the root excluded). */
  ancestors(item: Item): GroupItem[] {
    const out: GroupItem[] = [];
    for (let g = item.parent; g !== undefined && g !== this.root; g = g.parent) out.unshift(g);
    return out;
  }

  private newGroup(label: string, parent: GroupItem | undefined): GroupItem {
    return { kind: 'group', id: `g${this.groupCount++}`, label, parent, children: [], depth: 0, nodeCount: 0, changes: 0 };
  }

  private build(): void {
    const sub = new Map<GroupItem, Map<string, GroupItem>>();
    this.graph.nodes.forEach((node, index) => {
      let g = this.root;
      for (const segment of node.group) {
        let named = sub.get(g);
        if (named === undefined) sub.set(g, (named = new Map()));
        let next = named.get(segment);
        if (next === undefined) {
          next = this.newGroup(segment, g);
          named.set(segment, next);
          g.children.push(next);
        }
        g = next;
      }
      const item: NodeItem = { kind: 'node', id: `n${index}`, node, parent: g, depth: 0 };
      g.children.push(item);
      this.byName.set(node.name, item);
    });
  }

  /** Splits groups too large to lay out (and to read) into consecutive chunks. */
  private chunk(group: GroupItem): void {
    while (group.children.length > MAX_CHILDREN) {
      const parts: GroupItem[] = [];
      // Even chunks: never a last chunk of one.
      const size = Math.ceil(group.children.length / Math.ceil(group.children.length / CHUNK_SIZE));
      for (let i = 0; i < group.children.length; i += size) {
        const part = this.newGroup('', group);
        part.children = group.children.slice(i, i + size);
        for (const c of part.children) c.parent = part;
        parts.push(part);
      }
      parts.forEach((p, k) => { p.label = `part ${k + 1} of ${parts.length}`; });
      group.children = parts;
    }
    for (const c of group.children) if (c.kind === 'group') this.chunk(c);
  }

  private assignEdges(): void {
    const producer = new Map<string, NodeItem>();
    for (const item of this.byName.values()) for (const v of item.node.outputs) if (v !== '') producer.set(v, item);
    const seen = new Set<string>();
    for (const to of this.byName.values()) {
      for (const v of to.node.inputs) {
        const from = producer.get(v);
        if (from === undefined || from === to) continue;
        let a: Item = from;
        let b: Item = to;
        while (a.parent !== b.parent) {
          if (a.depth >= b.depth) a = a.parent as GroupItem;
          else b = b.parent as GroupItem;
        }
        const key = `${a.id}>${b.id}`;
        if (a === b || seen.has(key)) continue;
        seen.add(key);
        const group = a.parent as GroupItem;
        let list = this.edges.get(group);
        if (list === undefined) this.edges.set(group, (list = []));
        list.push({ from: a, to: b });
      }
    }
  }
}

/** Merges one-child chains: a group holding one node becomes that node; a group holding one group merges labels. */
function simplify(group: GroupItem): void {
  group.children = group.children.map((c) => {
    if (c.kind === 'node') return c;
    simplify(c);
    const only = c.children.length === 1 ? c.children[0] : undefined;
    if (only === undefined) return c;
    only.parent = group;
    if (only.kind === 'group') only.label = `${c.label}/${only.label}`;
    return only;
  });
}

function annotate(group: GroupItem, depth: number): void {
  group.depth = depth;
  group.nodeCount = 0;
  group.changes = 0;
  for (const c of group.children) {
    if (c.kind === 'node') {
      c.depth = depth + 1;
      group.nodeCount++;
      if (c.node.status !== 'same') group.changes++;
    } else {
      annotate(c, depth + 1);
      group.nodeCount += c.nodeCount;
      group.changes += c.changes;
    }
  }
}
