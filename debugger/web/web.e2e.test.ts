// The debugger page in a real browser: before/after, search, details, explain, numerics,
// hostile model strings, and a 20,000-node graph. Screenshots go to test/artifacts/.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load } from '../../api/load.js';
import { readRecordedIO } from '../../api/run.js';
import { floatAttr } from '../../ir/attrs.js';
import { optimize } from '../../passes/optimize.js';
import { nodeNumerics } from '../cli/debug-session.js';
import { recordingName } from '../../test/models.js';
import type { Explanation } from '../../patterns/explain.js';
import { HOSTILE, editedCopy, hostileGraph, syntheticGraph } from '../../test/debugger-graphs.js';
import { bertModel, buildDebuggerPage, hasChromium, launchChromium, repoRoot } from '../../test/debugger-page.js';
import { PAGE_MODULES, findPageDir } from './assets.js';
import { type DebugServer, type DebugServerOptions, startDebugServer } from './server.js';

const artifacts = join(repoRoot, 'test', 'artifacts');
const llamaDeep = resolve(repoRoot, '../shared/models/llama_deep.eager.onnx');

if (!hasChromium) console.warn('debugger e2e tests skipped: /usr/bin/chromium is missing');

describe.skipIf(!hasChromium)('debugger page in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    buildDebuggerPage();
    mkdirSync(artifacts, { recursive: true });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => browser?.close());

  /** Opens a page on a fresh server; any dialog (alert from injected script) fails the test. */
  async function open(options: DebugServerOptions): Promise<{ page: Page; server: DebugServer; dialogs: string[]; errors: string[]; ms: number }> {
    const server = await startDebugServer(options);
    const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => errors.push(e.message));
    const started = Date.now();
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 90_000 });
    return { page, server, dialogs, errors, ms: Date.now() - started };
  }

  /** Picks the first search result for a query and waits for its details. */
  async function searchAndPick(page: Page, query: string, expectName: string): Promise<void> {
    await page.fill('#search', query);
    const hit = page.locator('#results li', { hasText: expectName }).first();
    await hit.waitFor();
    await hit.click();
    await page.waitForFunction((n) => document.querySelector('#details h2')?.textContent === n, expectName);
  }

  const titles = (page: Page, selector: string): Promise<string[]> =>
    page.$$eval(selector, (els) => els.map((e) => (e.querySelector('title')?.textContent ?? '').split('\n')[0] ?? ''));

  it('compiles every page module the server allows, and nothing else', () => {
    const built = readdirSync(findPageDir()).filter((f) => f.endsWith('.js') && f !== 'protocol.js').map((f) => f.slice(0, -3));
    expect(built.sort()).toEqual([...PAGE_MODULES].sort());
  });

  it('shows bert before/after: search, details, provenance, numerics and explain', async () => {
    const before = load(bertModel());
    const edit = editedCopy(before);
    const explain = (n: string): Explanation[] => [{
      rule: 'demo/fuse-chain', anchor: n, outcome: 'no-match', reason: 'r', partial: { nodes: [], captures: {} }, message: `no match at '${n}': the producer is not a MatMul`,
    }];
    const afterNames = edit.graph.nodes.map((n) => n.name);
    const diverging = afterNames[Math.floor(afterNames.length / 2)] as string;
    const numerics = afterNames.map((name, i) => ({
      name, maxAbs: name === diverging ? 0.2 : 1e-7 * (i + 1), maxRel: name === diverging ? 0.05 : 1e-6, ok: name !== diverging, firstFailing: name === diverging,
    }));
    const { page, server, dialogs, errors, ms } = await open({ graph: before, compare: edit.graph, explain, numerics });
    try {
      console.log(`bert before/after ready in ${ms} ms`);
      expect(await page.locator('.pane').count()).toBe(2);
      // The renamed node: removed on the left, added on the right.
      expect(await titles(page, '.pane[data-side="before"] g.node.removed')).toContain(edit.renamed[0]);
      expect(await titles(page, '.pane[data-side="after"] g.node.added')).toContain(edit.renamed[1]);

      await searchAndPick(page, 'FusedChain', edit.fused);
      await expect.poll(() => titles(page, '.pane[data-side="after"] g.node.selected')).toEqual([edit.fused]);
      // Its origins light up on the original side.
      await expect.poll(async () => (await titles(page, '.pane[data-side="before"] g.node.related')).sort()).toEqual([...edit.origins].sort());
      const details = await page.textContent('#details');
      expect(details).toContain('FusedChain');
      expect(details).toContain('Origins (3 original nodes)');
      await page.screenshot({ path: join(artifacts, 'debugger-bert-fused.png') });

      // Click a MatMul straight in the drawing: details show typed inputs; explain shows the callback's text.
      const matmul = page.locator('.pane[data-side="before"] g.node', { hasText: 'MatMul' }).first();
      const matmulName = ((await matmul.locator('title').textContent()) ?? '').split('\n')[0] as string;
      await matmul.click();
      await page.waitForFunction((n) => document.querySelector('#details h2')?.textContent === n, matmulName);
      expect(await page.textContent('#details')).toMatch(/float32\[/);
      await expect.poll(() => page.textContent('#explain')).toContain(`no match at '${matmulName}': the producer is not a MatMul`);
      await expect.poll(() => titles(page, '.pane[data-side="after"] g.node.related')).toEqual([matmulName]);

      // Numerics: jump to the first divergence.
      await page.click('#jump');
      await page.waitForFunction((n) => document.querySelector('#details h2')?.textContent === n, diverging);
      const cls = await page.locator('.pane[data-side="after"] g.node.selected').getAttribute('class');
      expect(cls).toContain('num-first');
      expect(cls).toContain('num-bad');
      expect(await page.locator('.pane[data-side="after"] g.node.num-ok').count()).toBe(afterNames.length - 1);
      expect(await page.textContent('#details')).toContain('first divergence');
      await page.screenshot({ path: join(artifacts, 'debugger-bert-numerics.png') });
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await server.close();
    }
  });

  it('finds a broken fused Attention through real optimize + check: origins, error, first divergence', async () => {
    const model = bertModel();
    const before = load(model);
    const { graph: optimized, trace } = optimize(before);
    const attention = optimized.nodes.find((n) => n.op === 'Attention');
    expect(attention).toBeDefined();
    const scale = attention!.attrs.scale;
    const broken = {
      ...optimized,
      nodes: optimized.nodes.map((n) => (n === attention && scale?.kind === 'float' ? { ...n, attrs: { ...n.attrs, scale: floatAttr(scale.value * 2) } } : n)),
    };
    const io = readRecordedIO(join(dirname(model), `${recordingName(model)}.io.safetensors`));
    const numerics = nodeNumerics(before, broken, io.inputs);
    const { page, server, dialogs, errors } = await open({ graph: before, compare: broken, trace: trace.applications, numerics });
    try {
      await page.click('#jump');
      await page.waitForFunction((n) => document.querySelector('#details h2')?.textContent === n, attention!.name);
      const details = (await page.textContent('#details')) ?? '';
      expect(details).toContain('Attention');
      expect(details).toContain('first divergence');
      expect(details).toMatch(/Origins \(\d+ original nodes\)/);
      // The original Softmax of that layer is among the origins highlighted on the left.
      const related = await titles(page, '.pane[data-side="before"] g.node.related');
      expect(related.some((name) => attention!.origins!.includes(name))).toBe(true);
      await page.screenshot({ path: join(artifacts, 'debugger-bert-broken-attention.png') });
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await server.close();
    }
  });

  it('renders hostile model strings as text and serves nothing outside its allow-list', async () => {
    const explain = (n: string): Explanation[] => [{
      rule: '<img src=x onerror=alert(8)>', anchor: n, outcome: 'no-match', reason: 'r', partial: { nodes: [], captures: {} }, message: `${HOSTILE.img} at ${n}`,
    }];
    const { page, server, dialogs, errors } = await open({ graph: hostileGraph(), explain });
    try {
      for (const [query, name] of [['alert(1)', HOSTILE.script], ['onerror=alert(2)', HOSTILE.img], ['passwd', HOSTILE.path], ['module', HOSTILE.groupPath]] as const) {
        await searchAndPick(page, query, name);
        expect(await page.locator('#details h2').textContent()).toBe(name);
      }
      expect(await page.textContent('#details')).toContain(`note${JSON.stringify(HOSTILE.attr)}`);
      await expect.poll(() => page.textContent('#explain')).toContain(`${HOSTILE.img} at ${HOSTILE.groupPath}`);
      const svgTitles = await page.$$eval('svg title', (ts) => ts.map((t) => t.textContent ?? ''));
      for (const s of [HOSTILE.script, HOSTILE.img, HOSTILE.path]) expect(svgTitles.some((t) => t.startsWith(s))).toBe(true);
      await searchAndPick(page, 'svg', 'odd op');
      expect(await page.textContent('#details')).toContain(HOSTILE.op);
      await page.screenshot({ path: join(artifacts, 'debugger-hostile.png') });

      const injected = await page.evaluate(() => ({
        imgs: document.querySelectorAll('img').length,
        bold: document.querySelectorAll('b, i').length,
        scripts: [...document.scripts].map((s) => s.getAttribute('src')),
        svgInSvg: document.querySelectorAll('svg svg').length,
      }));
      expect(injected).toEqual({ imgs: 0, bold: 0, scripts: ['/page/main.js'], svgInSvg: 0 });
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);

      const statuses = await page.evaluate(async () => {
        const paths = ['/%2e%2e/%2e%2e/etc/passwd', '/page/%2e%2e%2f%2e%2e%2fpackage.json', '/page/main.ts', '/node_modules/elkjs/package.json', '/page/..%5c..%5cpackage.json'];
        return Promise.all(paths.map(async (p) => (await fetch(p)).status));
      });
      expect(statuses).toEqual([404, 404, 404, 404, 404]);
    } finally {
      await page.close();
      await server.close();
    }
  });

  it('keeps a 20,000-node graph usable: closed modules, lazy layout, search opens the path', async () => {
    const graph = syntheticGraph(40, 5, 100);
    const { page, server, errors, ms } = await open({ graph });
    try {
      console.log(`synthetic 20,000 nodes ready in ${ms} ms`);
      expect(await page.locator('g.group.collapsed').count()).toBe(40);
      expect(await page.locator('g.node').count()).toBe(0);
      const target = '/blocks.39/sub.4/Tanh_19999';
      await searchAndPick(page, 'Tanh_19999', target);
      await expect.poll(() => titles(page, 'g.node.selected')).toEqual([target]);
      await page.screenshot({ path: join(artifacts, 'debugger-synthetic-20k.png') });
      // Only the opened sub-module is drawn: its 100 nodes, beside closed boxes.
      expect(await page.locator('g.node').count()).toBe(100);
      expect(await page.locator('g.group.collapsed').count()).toBe(39 + 4);
      // Opening a module by clicking it, after zooming out to see it.
      await page.click('.pane .fit');
      await page.locator('g.group.collapsed', { hasText: 'blocks.0' }).first().click();
      const openTitles = (): Promise<string[]> => page.$$eval('g.group.expanded > text.title', (ts) => ts.map((t) => t.textContent ?? ''));
      await expect.poll(async () => (await openTitles()).filter((t) => t.startsWith('▾ blocks.0 '))).toHaveLength(1);
      expect(await page.locator('g.group.collapsed').count()).toBe(38 + 4 + 5);
      await page.screenshot({ path: join(artifacts, 'debugger-synthetic-20k-fit.png') });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await server.close();
    }
  });

  it.skipIf(!existsSync(llamaDeep))('opens llama_deep (1,964 nodes, 32 layers) with its layers closed', async () => {
    const { page, server, errors, ms } = await open({ graph: load(llamaDeep) });
    try {
      console.log(`llama_deep ready in ${ms} ms`);
      const groups = await page.$$eval('g.group.collapsed > text.title', (ts) => ts.map((t) => t.textContent ?? ''));
      for (const layer of ['layers.0', 'layers.17', 'layers.31']) expect(groups).toContain(`▸ ${layer}`);
      await searchAndPick(page, 'node_linear_33', 'node_linear_33');
      expect(await page.textContent('#details')).toContain('layers.4 / mlp / up_proj');
      await page.screenshot({ path: join(artifacts, 'debugger-llama-deep.png') });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await server.close();
    }
  });
});
