import { request } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../ir/builder.js';
import type { Graph } from '../../ir/graph.js';
import { makeTensor } from '../../ir/tensor.js';
import type { Explanation } from '../../patterns/explain.js';
import { HOSTILE, hostileGraph } from '../../test/debugger-graphs.js';
import type { Asset } from './assets.js';
import type { ExplainJson, GraphJson, NodeDetailJson, SearchJson, SessionJson } from './page/protocol.js';
import { safeJson } from './routes.js';
import { type DebugServer, startDebugServer } from './server.js';

interface Got { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** A raw GET: the path goes on the wire exactly as written (no URL normalisation). */
function get(port: number, path: string, options: { host?: string; method?: string; address?: string } = {}): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: options.address ?? '127.0.0.1', port, path, method: options.method ?? 'GET',
      headers: { host: options.host ?? `127.0.0.1:${port}` },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

function mlp(): Graph {
  const b = new GraphBuilder('mlp');
  const x = b.input('x', 'float32', ['batch', 4]);
  const w = b.initializer('w', makeTensor('float32', [4, 4], Array.from({ length: 16 }, (_, i) => i / 7 - 1)));
  const [y] = b.node('MatMul', [x, w], {}, { name: '/layers.0/mlp/MatMul' });
  const [z] = b.node('Relu', [y as string], {}, { name: '/layers.0/mlp/Relu' });
  const [s] = b.node('Softmax', [z as string], { axis: -1 }, { name: '/head/Softmax' });
  b.output(s as string);
  return b.build();
}

/** mlp with MatMul+Relu fused into one node with provenance, and the Softmax renamed. */
function mlpFused(): Graph {
  const b = new GraphBuilder('mlp-opt');
  const x = b.input('x', 'float32', ['batch', 4]);
  const w = b.initializer('w', makeTensor('float32', [4, 4], Array.from({ length: 16 }, (_, i) => i / 7 - 1)));
  const [y] = b.node('MatMul', [x, w], {}, { name: 'fused/MatMul' });
  const [z] = b.node('Relu', [y as string], {}, { name: 'fused/Relu', origins: ['/layers.0/mlp/MatMul', '/layers.0/mlp/Relu'] });
  const [s] = b.node('Softmax', [z as string], { axis: -1 }, { name: 'softmax_new' });
  b.output(s as string);
  return b.build();
}

// A stand-in page: the routes are under test here, not the compiled page (the e2e test serves that).
function fakeAssets(): Map<string, Asset> {
  const dir = mkdtempSync(join(tmpdir(), 'solder-web-'));
  writeFileSync(join(dir, 'main.js'), 'export const page = 1;\n');
  writeFileSync(join(dir, 'secret.txt'), 'do not serve\n');
  return new Map([['/page/main.js', { file: join(dir, 'main.js'), contentType: 'text/javascript; charset=utf-8' }]]);
}

describe('debug server', () => {
  let server: DebugServer;
  const explained: string[] = [];
  beforeAll(async () => {
    const explain = (node: string): Explanation[] => {
      explained.push(node);
      if (node === 'boom') throw new Error('rule engine exploded');
      return [{ rule: 'mlp/fuse', anchor: node, outcome: 'check-failed', reason: 'r', partial: { nodes: [], captures: {} }, message: `<b>why</b> ${node}` }];
    };
    server = await startDebugServer({
      graph: mlp(), compare: mlpFused(), assets: fakeAssets(), explain,
      numerics: [{ name: 'fused/Relu', maxAbs: 0.5, maxRel: 0.1, ok: false, firstFailing: true }],
      trace: [{ rule: 'mlp/fuse', anchor: '/layers.0/mlp/Relu', iteration: 0, removed: ['/layers.0/mlp/MatMul', '/layers.0/mlp/Relu'], added: ['fused/Relu'], kept: [] }],
    });
  });
  afterAll(async () => server.close());

  it('listens on the loopback address only', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    expect((await get(server.port, '/')).status).toBe(200);
    const outside = Object.values(networkInterfaces()).flat().find((a) => a !== undefined && a.family === 'IPv4' && !a.internal);
    if (outside !== undefined) {
      await expect(get(server.port, '/', { address: outside.address })).rejects.toThrow(/ECONNREFUSED/);
    }
  });

  it('serves the page with a strict content security policy', async () => {
    const r = await get(server.port, '/');
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.body).toContain('<script type="module" src="/page/main.js">');
    expect((await get(server.port, '/style.css')).headers['content-type']).toMatch(/^text\/css/);
    const js = await get(server.port, '/page/main.js');
    expect(js.status).toBe(200);
    expect(js.body).toBe('export const page = 1;\n');
  });

  it('answers the JSON API for both sides', async () => {
    const session = JSON.parse((await get(server.port, '/api/session')).body) as SessionJson;
    expect(session).toEqual({ sides: ['before', 'after'], hasNumerics: true, hasExplain: true, hasTrace: true });
    const before = JSON.parse((await get(server.port, '/api/graph?side=before')).body) as GraphJson;
    expect(before.nodes.map((n) => [n.name, n.op, n.group, n.status])).toEqual([
      ['/layers.0/mlp/MatMul', 'MatMul', ['layers.0', 'mlp'], 'fused'],
      ['/layers.0/mlp/Relu', 'Relu', ['layers.0', 'mlp'], 'fused'],
      ['/head/Softmax', 'Softmax', ['head'], 'removed'],
    ]);
    expect(before.initializers).toEqual([{ name: 'w', dtype: 'float32', shape: '[4, 4]', bytes: 64 }]);
    expect(before.values.find((v) => v.name === 'x')).toEqual({ name: 'x', dtype: 'float32', shape: '[batch, 4]' });
    const after = JSON.parse((await get(server.port, '/api/graph?side=after')).body) as GraphJson;
    const fused = after.nodes.find((n) => n.name === 'fused/Relu');
    // A fused node sits in the module its originals shared.
    expect(fused).toMatchObject({ status: 'fused', origins: ['/layers.0/mlp/MatMul', '/layers.0/mlp/Relu'], group: ['layers.0', 'mlp'] });
    expect(after.nodes.find((n) => n.name === 'softmax_new')?.status).toBe('added');
    expect(after.nodes.find((n) => n.name === 'softmax_new')?.attrs).toEqual(['axis=-1']);
    expect((await get(server.port, '/api/graph?side=sideways')).status).toBe(404);
  });

  it('gives node details with typed ports, rules, and numerics', async () => {
    const r = await get(server.port, `/api/node?side=after&name=${encodeURIComponent('fused/Relu')}`);
    const d = JSON.parse(r.body) as NodeDetailJson;
    expect(d.inputs).toEqual([{ name: 'fused/MatMul_out0', dtype: 'float32', shape: '[batch, 4]', from: 'fused/MatMul' }]);
    expect(d.rules).toEqual([{ rule: 'mlp/fuse', anchor: '/layers.0/mlp/Relu', role: 'added' }]);
    expect(d.outputs).toEqual([{ name: 'fused/Relu_out0', dtype: 'float32', shape: '[batch, 4]', to: ['softmax_new'] }]);
    expect(d.numerics).toMatchObject({ maxAbs: 0.5, ok: false, firstFailing: true });
    const mm = JSON.parse((await get(server.port, `/api/node?side=before&name=${encodeURIComponent('/layers.0/mlp/MatMul')}`)).body) as NodeDetailJson;
    expect(mm.inputs.map((p) => p.from)).toEqual(['input', 'initializer']);
    expect((await get(server.port, '/api/node?side=before&name=nope')).status).toBe(404);
  });

  it('searches names and op types on both sides', async () => {
    const s = JSON.parse((await get(server.port, '/api/search?q=relu')).body) as SearchJson;
    expect(s.hits.map((h) => `${h.side}:${h.name}`)).toEqual(['before:/layers.0/mlp/Relu', 'after:fused/Relu']);
    const none = JSON.parse((await get(server.port, '/api/search?q=')).body) as SearchJson;
    expect(none.hits).toEqual([]);
  });

  it('passes explain requests to the callback and reports its failures', async () => {
    const x = JSON.parse((await get(server.port, '/api/explain?node=%2Fhead%2FSoftmax')).body) as ExplainJson;
    expect(x.explanations).toEqual([{ rule: 'mlp/fuse', anchor: '/head/Softmax', outcome: 'check-failed', message: '<b>why</b> /head/Softmax' }]);
    const failed = JSON.parse((await get(server.port, '/api/explain?node=boom')).body) as ExplainJson;
    expect(failed.error).toBe('rule engine exploded');
    expect(explained).toEqual(['/head/Softmax', 'boom']);
  });

  it.each([
    '/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd', '/page/../../../../etc/passwd',
    '/page/%2e%2e/%2e%2e/package.json', '/page/..%2f..%2fpackage.json', '/vendor/../package.json', '//etc/passwd',
    '/page/main.ts', '/page/secret.txt', '/page/main.js/../secret.txt', '/page/main.js%00', '/..\\..\\etc\\passwd',
    '/page/%2e%2e%5c%2e%2e%5cpackage.json', '/node_modules/elkjs/package.json', '/package.json', '/api/../package.json',
    '/PAGE/MAIN.JS', '/page//main.js', '/page/./main.js', '/page/%6dain.js',
  ])('answers 404 to %s', async (path) => {
    const r = await get(server.port, path);
    expect(r.status).toBe(404);
    expect(r.body).not.toMatch(/root:|"name"|do not serve|export const/);
  });

  it('refuses other Host headers (DNS rebinding) and other methods', async () => {
    expect((await get(server.port, '/api/graph', { host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await get(server.port, '/', { host: 'localhost:1' })).status).toBe(403);
    expect((await get(server.port, '/', { host: `localhost:${server.port}` })).status).toBe(200);
    expect((await get(server.port, '/api/graph', { method: 'POST' })).status).toBe(405);
  });
});

describe('JSON escaping', () => {
  it('escapes markup characters and line separators, and round-trips', () => {
    const value = { s: `${HOSTILE.script} & \u2028\u2029 ${HOSTILE.img}` };
    const text = safeJson(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('sends hostile model strings as escaped JSON strings, equal after parsing', async () => {
    const server = await startDebugServer({ graph: hostileGraph(), assets: fakeAssets() });
    try {
      const r = await get(server.port, '/api/graph?side=before');
      expect(r.body).not.toMatch(/[<>]/);
      const g = JSON.parse(r.body) as GraphJson;
      expect(g.nodes.map((n) => n.name)).toEqual([HOSTILE.script, HOSTILE.img, HOSTILE.path, HOSTILE.groupPath, 'odd op']);
      expect(g.nodes[4]?.op).toBe(HOSTILE.op);
      expect(g.nodes[0]?.attrs).toEqual([`note=${JSON.stringify(HOSTILE.attr)}`]);
      const d = await get(server.port, `/api/node?side=before&name=${encodeURIComponent(HOSTILE.path)}`);
      expect(d.status).toBe(200);
      expect(d.body).not.toMatch(/[<>]/);
    } finally {
      await server.close();
    }
  });
});

describe('initializers', () => {
  it('are summarised without reading their bytes', async () => {
    const g = mlp();
    const w = g.initializers.get('w');
    if (w === undefined) throw new Error('test graph lost its weight');
    const unreadable = { ...w, bytes: { byteLength: 64, read: (): Uint8Array => { throw new Error('bytes were read'); } } };
    const server = await startDebugServer({ graph: { ...g, initializers: new Map([['w', unreadable]]) }, assets: fakeAssets() });
    try {
      const body = JSON.parse((await get(server.port, '/api/graph?side=before')).body) as GraphJson;
      expect(body.initializers).toEqual([{ name: 'w', dtype: 'float32', shape: '[4, 4]', bytes: 64 }]);
    } finally {
      await server.close();
    }
  });
});

describe('page sources', () => {
  it('never parse markup (model strings go in as text)', () => {
    const dir = join(import.meta.dirname, 'page');
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const src = readFileSync(join(dir, f), 'utf8');
      expect(src, f).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|DOMParser|createContextualFragment|\beval\(|new Function/);
    }
  });
});
