// The search box: node names and op types, answered by the server; results open on click.
import { api } from './api.js';
import { clear, el } from './dom.js';
import type { SearchHitJson } from './protocol.js';

const DEBOUNCE_MS = 150;

export function setUpSearch(input: HTMLInputElement, results: HTMLElement, onPick: (hit: SearchHitJson) => void, twoSides: boolean): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let latest = 0;
  const run = async (): Promise<void> => {
    const ticket = ++latest;
    const q = input.value;
    if (q.trim() === '') {
      results.hidden = true;
      clear(results);
      return;
    }
    const answer = await api.search(q);
    if (ticket !== latest) return;
    show(results, answer.hits, answer.truncated, onPick, twoSides);
  };
  input.addEventListener('input', () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => void run(), DEBOUNCE_MS);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    const first = results.querySelector('li');
    if (first instanceof HTMLElement) first.click();
  });
}

function show(results: HTMLElement, hits: readonly SearchHitJson[], truncated: boolean, onPick: (hit: SearchHitJson) => void, twoSides: boolean): void {
  clear(results);
  results.hidden = false;
  const more = truncated ? ' (first shown)' : '';
  results.append(el('h2', { text: `${hits.length} result${hits.length === 1 ? '' : 's'}${more}` }));
  const list = el('ul');
  for (const hit of hits) {
    const parts: (Node | string)[] = [el('span', { className: 'op', text: hit.op }), el('span', { className: 'mono', text: hit.name })];
    if (twoSides) parts.push(el('span', { className: 'side', text: hit.side === 'before' ? 'original' : 'optimized' }));
    const li = el('li', { title: hit.name }, parts);
    li.addEventListener('click', () => onPick(hit));
    list.append(li);
  }
  results.append(list);
}
