// One graph pane: its module tree, which groups are open, the lazy layouts, the SVG
// drawing, and the marks on nodes (selected, related, search hits, numerics).
import { el, svg } from './dom.js';
import type { ElkClient } from './elk.js';
import { Layouts } from './layout.js';
import { type Drawing, type LayoutOf, arrowDefs, draw } from './render.js';
import type { GraphJson, NodeNumerics, Side } from './protocol.js';
import { GraphTree, type GroupItem, type Item, type NodeItem } from './tree.js';
import { Viewport } from './viewport.js';

/** Graphs up to this many nodes are drawn with every group open. */
const OPEN_ALL_BELOW = 250;
const MIN_FIT_SCALE = 0.5;

export interface PaneEvents {
  onSelect(pane: Pane, item: NodeItem): void;
}

/** Error levels drawn by the numerics overlay. */
export function numericsClass(n: NodeNumerics | undefined): string | undefined {
  if (n === undefined) return undefined;
  if (!n.ok) return 'num-bad';
  return n.maxRel >= 1e-3 ? 'num-warn' : 'num-ok';
}

export class Pane {
  readonly tree: GraphTree;
  readonly expanded = new Set<GroupItem>();
  readonly svgEl: SVGSVGElement;
  readonly viewport: Viewport;
  selected: NodeItem | undefined;
  related = new Set<NodeItem>();
  hits = new Set<NodeItem>();
  private numerics = new Map<string, NodeNumerics>();
  private badGroups = new Set<GroupItem>();
  showNumerics = true;
  private readonly layouts: Layouts;
  private readonly content: SVGGElement;
  private drawing: Drawing | undefined;
  private generation = 0;

  constructor(container: HTMLElement, readonly side: Side, graph: GraphJson, elk: ElkClient, title: string, private readonly events: PaneEvents) {
    this.tree = new GraphTree(graph);
    this.layouts = new Layouts(elk, this.tree, (g) => g === this.tree.root || this.expanded.has(g));
    const section = el('section', { className: 'pane' });
    section.dataset.side = side;
    const count = `${graph.nodes.length} nodes`;
    const fit = el('button', { className: 'fit', text: 'fit', title: 'Show the whole drawing' });
    fit.type = 'button';
    fit.addEventListener('click', () => {
      if (this.drawing !== undefined) this.viewport.fit(this.drawing);
    });
    section.append(el('div', { className: 'pane-title' }, [el('span', { text: title }), el('span', { className: 'count', text: count }), fit]));
    this.svgEl = svg('svg');
    this.content = svg('g');
    this.svgEl.append(arrowDefs(), this.content);
    section.append(this.svgEl);
    container.append(section);
    this.viewport = new Viewport(this.svgEl, this.content);
    this.svgEl.addEventListener('click', (e) => this.onClick(e));
  }

  /** Lays out what is open and redraws; a later call supersedes one still in flight. */
  async refresh(): Promise<void> {
    if (await this.layoutOpen()) this.redraw();
  }

  /** Lays out every open group; false when a later call has superseded this one. */
  async layoutOpen(): Promise<boolean> {
    const generation = ++this.generation;
    await this.layouts.layout(this.tree.root);
    return generation === this.generation;
  }

  /** Draws the provisional layout (quick-layout.ts) while the worker's first layout runs. */
  drawProvisional(): void {
    const quick = this.layouts.provisional(this.tree.root);
    this.drawWith((g) => quick.get(g));
  }

  redraw(): void {
    this.drawWith((g) => this.layouts.current(g));
  }

  private drawWith(layoutOf: LayoutOf): void {
    this.drawing = draw(this.content, this.tree, layoutOf, {
      isExpanded: (g) => this.expanded.has(g),
      nodeClasses: (n) => this.nodeClasses(n),
      groupClasses: (g) => this.groupClasses(g),
      nodeTooltip: (n) => tooltip(n, this.numerics.get(n.node.name)),
    });
  }

  /** Fits the drawing in the pane, but not so small that labels cannot be read. */
  fitAll(): void {
    if (this.drawing !== undefined) this.viewport.fit(this.drawing, MIN_FIT_SCALE);
  }

  /** Small graphs open fully; larger ones start with their top-level modules closed. */
  expandIfSmall(): void {
    if (this.tree.byName.size > OPEN_ALL_BELOW) return;
    const open = (g: GroupItem): void => {
      for (const c of g.children) {
        if (c.kind !== 'group') continue;
        this.expanded.add(c);
        open(c);
      }
    };
    open(this.tree.root);
  }

  async toggle(group: GroupItem): Promise<void> {
    if (this.expanded.has(group)) this.expanded.delete(group);
    else this.expanded.add(group);
    await this.refresh();
  }

  /** Opens every group holding the named nodes, redraws, and centres on the first of them. */
  async reveal(names: readonly string[]): Promise<NodeItem[]> {
    const items = names.map((n) => this.tree.byName.get(n)).filter((i): i is NodeItem => i !== undefined);
    for (const item of items) for (const g of this.tree.ancestors(item)) this.expanded.add(g);
    await this.refresh();
    const first = items[0];
    const box = first === undefined ? undefined : this.drawing?.boxes.get(first);
    if (box !== undefined) this.viewport.centreOn(box);
    return items;
  }

  select(item: NodeItem | undefined): void {
    this.selected = item;
    this.restyle();
  }

  setNumerics(list: readonly NodeNumerics[]): void {
    this.numerics = new Map(list.filter((n) => this.tree.byName.has(n.name)).map((n) => [n.name, n]));
    this.badGroups = new Set();
    for (const n of this.numerics.values()) {
      if (n.ok) continue;
      const item = this.tree.byName.get(n.name);
      if (item !== undefined) for (const g of this.tree.ancestors(item)) this.badGroups.add(g);
    }
    this.restyle();
  }

  /** Re-applies the marks on what is drawn, without laying anything out. */
  restyle(): void {
    if (this.drawing === undefined) return;
    for (const [item, g] of this.drawing.elements) {
      if (item.kind === 'node') g.setAttribute('class', ['node', item.node.status, ...this.nodeClasses(item)].join(' '));
      else g.setAttribute('class', ['group', this.expanded.has(item) ? 'expanded' : 'collapsed', ...this.groupClasses(item)].join(' '));
    }
  }

  /** The drawn element of a node, when it is visible. */
  elementOf(item: Item): SVGGElement | undefined {
    return this.drawing?.elements.get(item);
  }

  private nodeClasses(n: NodeItem): string[] {
    const out: string[] = [];
    if (this.showNumerics) {
      const num = this.numerics.get(n.node.name);
      const c = numericsClass(num);
      if (c !== undefined) out.push(c);
      if (num?.firstFailing === true) out.push('num-first');
    }
    if (this.hits.has(n)) out.push('hit');
    if (this.related.has(n)) out.push('related');
    if (this.selected === n) out.push('selected');
    return out;
  }

  private groupClasses(g: GroupItem): string[] {
    const out: string[] = [];
    if (g.changes > 0) out.push('changed');
    if (this.showNumerics && this.badGroups.has(g)) out.push('num-bad');
    return out;
  }

  private onClick(e: MouseEvent): void {
    if (this.viewport.dragged) return;
    const target = e.target instanceof Element ? e.target : undefined;
    const hit = target?.closest('[data-id]');
    if (hit === undefined || hit === null || this.drawing === undefined) return;
    const item = [...this.drawing.elements].find(([, g]) => g === hit)?.[0];
    if (item === undefined) return;
    if (item.kind === 'node') {
      this.select(item);
      this.events.onSelect(this, item);
    } else if (!this.expanded.has(item) || target?.closest('rect.header, text.title') !== null) {
      void this.toggle(item);
    }
  }
}

function tooltip(n: NodeItem, num: NodeNumerics | undefined): string {
  const lines = [n.node.name, `${n.node.domain === '' ? '' : `${n.node.domain}::`}${n.node.op}`];
  if (n.node.status !== 'same') lines.push(n.node.status);
  if (num !== undefined) lines.push(`max abs ${num.maxAbs.toExponential(2)}, max rel ${num.maxRel.toExponential(2)}${num.ok ? '' : ' (fails)'}`);
  return lines.join('\n');
}
