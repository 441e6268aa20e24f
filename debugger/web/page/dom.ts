// DOM helpers. Every string from a model goes in through textContent or an attribute
// value; nothing here parses markup (model files are untrusted).

const SVG_NS = 'http://www.w3.org/2000/svg';

export interface ElementProps {
  readonly className?: string;
  readonly text?: string;
  readonly title?: string;
}

/** An HTML element with optional class, text and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K, props: ElementProps = {}, children: readonly (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (props.className !== undefined) e.className = props.className;
  if (props.title !== undefined) e.title = props.title;
  if (props.text !== undefined) e.textContent = props.text;
  for (const c of children) e.append(c);
  return e;
}

/** An SVG element with attributes (values are set as attribute text, never parsed). */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K, attrs: Readonly<Record<string, string | number>> = {},
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** An SVG text node. */
export function svgText(x: number, y: number, text: string, className: string): SVGTextElement {
  const t = svg('text', { x, y, class: className });
  t.textContent = text;
  return t;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (e === null) throw new Error(`page is missing #${id}`);
  return e as T;
}

export function clear(e: Element): void {
  e.replaceChildren();
}

/** A two-column table of key/value text rows. */
export function table(rows: readonly (readonly [string, string])[], valueClass = ''): HTMLTableElement {
  const t = el('table');
  for (const [k, v] of rows) {
    t.append(el('tr', {}, [el('td', { className: 'key', text: k }), el('td', { className: valueClass, text: v })]));
  }
  return t;
}

/** Shortens a label to `max` characters, keeping the end (where names differ). */
export function shorten(s: string, max: number): string {
  return s.length <= max ? s : `…${s.slice(s.length - max + 1)}`;
}
