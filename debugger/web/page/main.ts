// The debugger page: loads the session, draws one pane per graph, and wires search,
// details, explain, numerics and before/after cross-selection together.
// Performance marks, read by the benchmark: solder:data (graphs fetched), solder:first-paint
// (provisional layout drawn), solder:layout (ELK done), solder:render (ELK layout drawn).
import { api } from './api.js';
import { byId, clear, el } from './dom.js';
import { ElkClient } from './elk.js';
import { Pane } from './pane.js';
import { showDetails, showExplain } from './panels.js';
import type { NodeNumerics, SessionJson, Side } from './protocol.js';
import { setUpSearch } from './search.js';
import type { NodeItem } from './tree.js';

const ELK_WORKER_URL = '/vendor/elk-worker.min.js';

performance.mark('solder:start');

class App {
  readonly panes = new Map<Side, Pane>();
  /** Provenance, original -> optimized: the fused nodes each original node went into. */
  private readonly replacedBy = new Map<string, string[]>();

  constructor(readonly session: SessionJson) {}

  addPane(pane: Pane): void {
    this.panes.set(pane.side, pane);
    if (pane.side !== 'after') return;
    for (const item of pane.tree.byName.values()) {
      for (const o of item.node.origins) this.replacedBy.set(o, [...(this.replacedBy.get(o) ?? []), item.node.name]);
    }
  }

  otherSide(side: Side): Side | undefined {
    const other: Side = side === 'before' ? 'after' : 'before';
    return this.panes.has(other) ? other : undefined;
  }

  /** Opens the groups around a node, centres it, and selects it. */
  async open(side: Side, name: string): Promise<void> {
    const pane = this.panes.get(side);
    const item = pane?.tree.byName.get(name);
    if (pane === undefined || item === undefined) return;
    await pane.reveal([name]);
    pane.select(item);
    await this.selected(pane, item);
  }

  /** A node was selected in a pane: details, explain, and the matching nodes on the other side. */
  async selected(pane: Pane, item: NodeItem): Promise<void> {
    const name = item.node.name;
    void api.node(pane.side, name).then((d) => showDetails(byId('details'), d, {
      open: (side, n) => void this.open(side, n),
      otherSide: (side) => this.otherSide(side),
    }));
    if (this.session.hasExplain) void api.explain(name).then((x) => showExplain(byId('explain'), x));
    const otherSide = this.otherSide(pane.side);
    const other = otherSide === undefined ? undefined : this.panes.get(otherSide);
    if (other === undefined) return;
    const counterpart = this.counterpart(pane.side, item, other);
    // The rest of a fused cluster on this side lights up with the selection.
    const cluster = pane.side === 'before'
      ? (this.replacedBy.get(name) ?? []).flatMap((f) => other.tree.byName.get(f)?.node.origins ?? [])
      : [];
    pane.related = new Set(cluster.map((n) => pane.tree.byName.get(n)).filter((i): i is NodeItem => i !== undefined && i !== item));
    pane.restyle();
    other.selected = undefined;
    other.related = new Set(await other.reveal(counterpart));
    other.restyle();
  }

  private counterpart(side: Side, item: NodeItem, other: Pane): string[] {
    const name = item.node.name;
    const origins = item.node.origins.filter((o) => o !== name);
    if (side === 'after' && origins.length > 0) return origins;
    if (side === 'before') {
      const fused = this.replacedBy.get(name);
      if (fused !== undefined) return fused;
    }
    return other.tree.byName.has(name) ? [name] : [];
  }

  async showNumerics(list: readonly NodeNumerics[]): Promise<void> {
    for (const pane of this.panes.values()) pane.setNumerics(list);
    const first = list.find((n) => n.firstFailing === true) ?? list.find((n) => !n.ok);
    const jump = byId<HTMLButtonElement>('jump');
    const toggle = byId<HTMLInputElement>('numerics-toggle');
    byId('numerics-label').hidden = false;
    toggle.addEventListener('change', () => {
      for (const pane of this.panes.values()) {
        pane.showNumerics = toggle.checked;
        pane.restyle();
      }
    });
    if (first === undefined) return;
    jump.hidden = false;
    jump.addEventListener('click', () => {
      const side: Side = this.panes.get('after')?.tree.byName.has(first.name) === true ? 'after' : 'before';
      void this.open(side, first.name);
    });
  }
}

function legend(session: SessionJson): void {
  const box = byId('legend');
  const entries: [string, string][] = [];
  if (session.sides.length > 1) entries.push(['#d9f5df', 'added'], ['#fbe1e1', 'removed'], ['#efe4fb', 'fused']);
  if (session.hasNumerics) entries.push(['#e3f4e6', 'close'], ['#fdf0d2', 'drifting'], ['#f9c9c4', 'diverged']);
  clear(box);
  for (const [colour, label] of entries) {
    const swatch = el('span', { className: 'swatch' });
    swatch.style.background = colour;
    box.append(el('span', {}, [swatch, label]));
  }
}

const nextFrame = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => resolve()));

async function boot(): Promise<void> {
  const status = byId('status');
  const elk = new ElkClient(ELK_WORKER_URL);
  // The original side always exists: fetch it alongside the session.
  const [session, before] = await Promise.all([api.session(), api.graph('before')]);
  const graphs = [before, ...(await Promise.all(session.sides.filter((s) => s !== 'before').map((s) => api.graph(s))))];
  performance.mark('solder:data');
  const app = new App(session);
  const two = graphs.length > 1;
  for (const g of graphs) {
    const title = !two ? g.name || 'graph' : g.side === 'before' ? 'original' : 'optimized';
    app.addPane(new Pane(byId('panes'), g.side, g, elk, title, { onSelect: (pane, item) => void app.selected(pane, item) }));
  }
  const panes = [...app.panes.values()];
  for (const p of panes) {
    p.expandIfSmall();
    p.drawProvisional();
    p.fitAll();
  }
  legend(session);
  setUpSearch(byId<HTMLInputElement>('search'), byId('results'), (hit) => void app.open(hit.side, hit.name), two);
  await nextFrame();
  performance.mark('solder:first-paint');
  status.textContent = 'laying out…';
  await Promise.all(panes.map((p) => p.layoutOpen()));
  performance.mark('solder:layout');
  for (const p of panes) {
    p.redraw();
    if (!p.viewport.touched) p.fitAll();
  }
  await nextFrame();
  performance.mark('solder:render');
  if (session.hasNumerics) await app.showNumerics(await api.numerics());
  const layoutMs = performance.measure('solder:layout-time', 'solder:data', 'solder:layout').duration;
  status.textContent = `${graphs.map((g) => `${g.nodes.length} nodes`).join(' → ')} · laid out in ${Math.round(layoutMs)} ms`;
  document.body.dataset.ready = 'true';
}

// Interactions run as fire-and-forget promises; a failure among them is shown, not lost.
window.addEventListener('unhandledrejection', (e) => {
  byId('status').textContent = `error: ${e.reason instanceof Error ? e.reason.message : String(e.reason)}`;
});

boot().catch((e: unknown) => {
  byId('status').textContent = `failed: ${e instanceof Error ? e.message : String(e)}`;
  document.body.dataset.ready = 'error';
});
