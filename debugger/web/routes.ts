// The debug server's fixed routes. The path is compared as raw text against a fixed table:
// no decoding, no normalising, so `/../x`, `/%2e%2e/x` and friends simply match nothing.
import { readFile } from 'node:fs/promises';
import type { Asset } from './assets.js';
import { PAGE_CSS, PAGE_HTML } from './page-html.js';
import type { Side } from './page/protocol.js';
import type { Session } from './session.js';

export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
}

const COMMON = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

// The page runs only its own modules and elkjs's worker; no inline script, no remote anything.
const CSP = [
  "default-src 'none'", "script-src 'self'", "worker-src 'self'", "style-src 'self'", "img-src 'self'",
  "connect-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

/** JSON safe to read anywhere: `<`, `>`, `&` and the JS line separators are \u-escaped. */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function json(value: unknown, status = 200): Reply {
  return { status, headers: { ...COMMON, 'Content-Type': 'application/json; charset=utf-8' }, body: safeJson(value) };
}

function text(status: number, message: string): Reply {
  return { status, headers: { ...COMMON, 'Content-Type': 'text/plain; charset=utf-8' }, body: `${message}\n` };
}

export const notFound = (): Reply => text(404, 'not found');

function side(query: URLSearchParams): Side | undefined {
  const s = query.get('side') ?? 'before';
  return s === 'before' || s === 'after' ? s : undefined;
}

export class Router {
  private readonly graphText = new Map<Side, string>();

  constructor(private readonly session: Session, private readonly assets: ReadonlyMap<string, Asset>) {}

  /** Answers one request; `url` is the request target exactly as received. */
  async handle(method: string, url: string): Promise<Reply> {
    if (method !== 'GET' && method !== 'HEAD') return text(405, 'method not allowed');
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    switch (path) {
      case '/':
        return { status: 200, headers: { ...COMMON, 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': CSP, 'X-Frame-Options': 'DENY' }, body: PAGE_HTML };
      case '/favicon.ico':
        return { status: 204, headers: COMMON, body: '' };
      case '/style.css':
        return { status: 200, headers: { ...COMMON, 'Content-Type': 'text/css; charset=utf-8' }, body: PAGE_CSS };
      case '/api/session':
        return json(this.session.summary());
      case '/api/graph': {
        const s = side(query);
        if (s === undefined || this.session.graph(s) === undefined) return json({ error: 'no such side' }, 404);
        // Serialised once: a 20,000-node graph is megabytes of JSON.
        let body = this.graphText.get(s);
        if (body === undefined) this.graphText.set(s, (body = safeJson(this.session.graph(s))));
        return { status: 200, headers: { ...COMMON, 'Content-Type': 'application/json; charset=utf-8' }, body };
      }
      case '/api/node': {
        const s = side(query);
        const name = query.get('name');
        const detail = s === undefined || name === null ? undefined : this.session.node(s, name);
        return detail === undefined ? json({ error: 'no such node' }, 404) : json(detail);
      }
      case '/api/search':
        return json(this.session.search(query.get('q') ?? ''));
      case '/api/numerics':
        return json(this.session.numericsList());
      case '/api/explain': {
        const node = query.get('node');
        return node === null ? json({ error: 'node is required' }, 400) : json(await this.session.explain(node));
      }
      default:
        return this.asset(path);
    }
  }

  private async asset(path: string): Promise<Reply> {
    const asset = this.assets.get(path);
    if (asset === undefined) return notFound();
    try {
      const body = await readFile(asset.file);
      const cache = asset.maxAge === undefined ? {} : { 'Cache-Control': `private, max-age=${asset.maxAge}` };
      return { status: 200, headers: { ...COMMON, ...cache, 'Content-Type': asset.contentType }, body };
    } catch {
      return notFound();
    }
  }
}
