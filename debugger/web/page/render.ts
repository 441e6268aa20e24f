// Draws the open part of a module tree as SVG: boxes for nodes and closed groups, framed
// regions for open groups, orthogonal edge routes. Labels are SVG text nodes.
import { shorten, svg, svgText } from './dom.js';
import { GROUP_HEADER, GROUP_PAD, type GroupLayout, LABEL_CHARS, groupSubtitle, shortName } from './layout.js';
import type { GraphTree, GroupItem, Item, NodeItem } from './tree.js';
import type { Rect } from './viewport.js';

export interface Decor {
  isExpanded(g: GroupItem): boolean;
  nodeClasses(n: NodeItem): readonly string[];
  groupClasses(g: GroupItem): readonly string[];
  nodeTooltip(n: NodeItem): string;
}

export interface Drawing {
  /** The drawn element of each visible item (nodes and groups). */
  readonly elements: ReadonlyMap<Item, SVGGElement>;
  /** Each visible item's box in drawing coordinates. */
  readonly boxes: ReadonlyMap<Item, Rect>;
  readonly width: number;
  readonly height: number;
}

export function arrowDefs(): SVGDefsElement {
  const defs = svg('defs');
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#98a2b3' }));
  defs.append(marker);
  return defs;
}

export type LayoutOf = (g: GroupItem) => GroupLayout | undefined;

/** Redraws everything visible into `content` (previous drawing removed). */
export function draw(content: SVGGElement, tree: GraphTree, layouts: LayoutOf, decor: Decor): Drawing {
  const elements = new Map<Item, SVGGElement>();
  const boxes = new Map<Item, Rect>();
  const root = layouts(tree.root);
  const frag = svg('g');
  if (root !== undefined) drawGroupBody(frag, tree, tree.root, layouts, decor, 0, 0, elements, boxes);
  content.replaceChildren(frag);
  return { elements, boxes, width: root?.width ?? 0, height: root?.height ?? 0 };
}

function drawGroupBody(
  parent: SVGGElement, tree: GraphTree, group: GroupItem, layouts: LayoutOf, decor: Decor,
  ox: number, oy: number, elements: Map<Item, SVGGElement>, boxes: Map<Item, Rect>,
): void {
  const layout = layouts(group);
  if (layout === undefined) return;
  for (const points of layout.edges) parent.append(svg('path', { d: pathData(points), class: 'edge' }));
  for (const stub of layout.stubs) {
    const path = svg('path', { d: pathData(stub.points), class: 'edge stub' });
    const title = svg('title');
    title.textContent = `from ${stub.from.kind === 'node' ? stub.from.node.name : stub.from.label} (read by many; drawn as stubs)`;
    path.append(title);
    parent.append(path);
  }
  for (const child of group.children) {
    const at = layout.placed.get(child);
    if (at === undefined) continue;
    boxes.set(child, { x: ox + at.x, y: oy + at.y, width: at.width, height: at.height });
    const g = svg('g', { transform: `translate(${at.x.toFixed(1)},${at.y.toFixed(1)})`, 'data-id': child.id });
    elements.set(child, g);
    parent.append(g);
    if (child.kind === 'node') {
      drawNode(g, child, at.width, at.height, decor);
    } else if (decor.isExpanded(child)) {
      drawOpenGroup(g, child, at.width, at.height, decor);
      const inner = svg('g', { transform: `translate(${GROUP_PAD},${GROUP_HEADER})` });
      g.append(inner);
      drawGroupBody(inner, tree, child, layouts, decor, ox + at.x + GROUP_PAD, oy + at.y + GROUP_HEADER, elements, boxes);
    } else {
      drawClosedGroup(g, child, at.width, at.height, decor);
    }
  }
}

function pathData(points: readonly { x: number; y: number }[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

function drawNode(g: SVGGElement, n: NodeItem, width: number, height: number, decor: Decor): void {
  g.setAttribute('class', ['node', n.node.status, ...decor.nodeClasses(n)].join(' '));
  const title = svg('title');
  title.textContent = decor.nodeTooltip(n);
  g.append(title, svg('rect', { width, height, rx: 4 }));
  g.append(svgText(8, 14, shorten(n.node.op, LABEL_CHARS), 'op'));
  g.append(svgText(8, 27, shorten(shortName(n.node.name), LABEL_CHARS), 'name'));
}

function drawClosedGroup(g: SVGGElement, group: GroupItem, width: number, height: number, decor: Decor): void {
  g.setAttribute('class', ['group', 'collapsed', ...decor.groupClasses(group)].join(' '));
  const title = svg('title');
  title.textContent = `${group.label} (click to open)`;
  g.append(title, svg('rect', { width, height, rx: 6, class: 'box' }));
  g.append(svgText(10, 16, `▸ ${shorten(group.label, LABEL_CHARS)}`, 'title'));
  g.append(svgText(10, 30, groupSubtitle(group), 'sub'));
}

function drawOpenGroup(g: SVGGElement, group: GroupItem, width: number, height: number, decor: Decor): void {
  g.setAttribute('class', ['group', 'expanded', ...decor.groupClasses(group)].join(' '));
  const title = svg('title');
  title.textContent = `${group.label} (click the header to close)`;
  g.append(title, svg('rect', { width, height, rx: 6, class: 'box' }));
  g.append(svg('rect', { width, height: GROUP_HEADER - 4, rx: 6, class: 'header' }));
  g.append(svgText(8, 13, `▾ ${shorten(group.label, LABEL_CHARS)}  ·  ${groupSubtitle(group)}`, 'title'));
}
