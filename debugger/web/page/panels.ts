// The sidebar's node details and explain panels. Model strings are set as text only.
import { clear, el, table } from './dom.js';
import type { ExplainJson, NodeDetailJson, PortJson, Side } from './protocol.js';

export interface DetailLinks {
  /** Selects a node by name on a side (for origins and producers). */
  open(side: Side, name: string): void;
  otherSide(side: Side): Side | undefined;
}

export function showDetails(panel: HTMLElement, d: NodeDetailJson, links: DetailLinks): void {
  clear(panel);
  const n = d.node;
  const heading = el('h2', { className: 'mono', text: n.name });
  heading.dataset.testid = 'node-name';
  panel.append(heading);
  const rows: [string, string][] = [
    ['op', n.op],
    ['domain', n.domain === '' ? 'ai.onnx' : n.domain],
    ['side', d.side === 'before' ? 'original' : 'optimized'],
  ];
  if (n.status !== 'same') rows.push(['change', n.status]);
  if (n.group.length > 0) rows.push(['module', n.group.join(' / ')]);
  panel.append(table(rows, 'mono'));

  section(panel, 'Attributes', n.attrs.length === 0 ? [el('p', { className: 'hint', text: 'none' })]
    : [table(n.attrs.map((a) => splitAttr(a)), 'mono')]);
  section(panel, 'Inputs', [ports(d.inputs, d.side, links)]);
  section(panel, 'Outputs', [ports(d.outputs, d.side, links)]);

  if (n.origins.length > 0) {
    const other = links.otherSide(d.side) ?? d.side;
    const list = el('ul', { className: 'mono' }, n.origins.map((o) => link(o, () => links.open(other, o))));
    section(panel, `Origins (${n.origins.length} original nodes)`, [list]);
  }
  if (d.rules.length > 0) {
    section(panel, 'Rules that touched it', [table(d.rules.map((r) => [r.rule, `${r.role} · anchor ${r.anchor}`]), 'mono')]);
  }
  if (d.numerics !== undefined) {
    const num = d.numerics;
    const rows2: [string, string][] = [
      ['max abs', num.maxAbs.toExponential(3)], ['max rel', num.maxRel.toExponential(3)], ['ok', num.ok ? 'yes' : 'no'],
    ];
    if (num.firstFailing === true) rows2.push(['', 'first divergence']);
    section(panel, 'Numerics', [table(rows2, 'mono')]);
  }
  if (d.docString !== undefined && d.docString !== '') section(panel, 'Doc', [el('p', { className: 'mono', text: d.docString })]);
  if (d.metadata.length > 0) {
    const details = el('details', {}, [el('summary', { text: `Metadata (${d.metadata.length})` }), table(d.metadata.map(([k, v]) => [k, v]), 'mono')]);
    panel.append(details);
  }
}

export function showExplain(panel: HTMLElement, x: ExplainJson): void {
  clear(panel);
  panel.hidden = false;
  panel.append(el('h2', { text: 'Why rules did or did not match' }));
  if (x.error !== undefined) {
    panel.append(el('p', { className: 'hint', text: `explain failed: ${x.error}` }));
    return;
  }
  if (x.explanations.length === 0) {
    panel.append(el('p', { className: 'hint', text: 'No rule has this node as a candidate root.' }));
    return;
  }
  for (const e of x.explanations) {
    const cls = e.outcome === 'matched' ? 'matched' : 'failed';
    panel.append(el('div', { className: `explain-item ${cls}` }, [
      el('div', { className: 'mono', text: `${e.rule}: ${e.outcome}` }),
      el('div', { text: e.message }),
    ]));
  }
}

function section(panel: HTMLElement, title: string, body: readonly Node[]): void {
  panel.append(el('h3', { text: title }), ...body);
}

function splitAttr(a: string): [string, string] {
  const eq = a.indexOf('=');
  return eq < 0 ? [a, ''] : [a.slice(0, eq), a.slice(eq + 1)];
}

/** One block per port: name and type, then where it comes from or who reads it. */
function ports(list: readonly PortJson[], side: Side, links: DetailLinks): HTMLElement {
  if (list.length === 0) return el('p', { className: 'hint', text: 'none' });
  const box = el('div');
  for (const p of list) {
    const type = p.dtype === undefined ? '' : `${p.dtype}${p.shape ?? ''}`;
    box.append(el('div', { className: 'port' }, [
      el('div', {}, [el('span', { className: 'mono', text: p.name === '' ? '(absent)' : p.name }), el('span', { className: 'type mono', text: type })]),
      portLinks(p, side, links),
    ]));
  }
  return box;
}

const MAX_READERS = 6;

/** Where an input comes from, or which nodes read an output. */
function portLinks(p: PortJson, side: Side, links: DetailLinks): HTMLElement {
  const names = p.from !== undefined ? [p.from] : (p.to ?? []);
  const line = el('div', { className: 'port-links' }, [el('span', { className: 'key', text: p.from !== undefined ? 'from ' : names.length > 0 ? 'to ' : '' })]);
  for (const name of names.slice(0, MAX_READERS)) {
    if (name === 'input' || name === 'initializer') line.append(el('span', { className: 'key', text: `graph ${name}` }));
    else line.append(link(name, () => links.open(side, name), 'span'));
  }
  if (names.length > MAX_READERS) line.append(el('span', { className: 'hint', text: `and ${names.length - MAX_READERS} more` }));
  if (p.graphOutput === true) line.append(el('span', { className: 'key', text: 'graph output' }));
  return line;
}

function link(text: string, onClick: () => void, tag: 'li' | 'span' = 'li'): HTMLElement {
  const e = el(tag, { className: 'link', text, title: text });
  e.addEventListener('click', onClick);
  return e;
}
