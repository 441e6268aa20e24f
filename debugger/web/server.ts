// `solder debug`'s local web server: node:http on the loopback interface only, a fixed
// set of routes, and a Host check so that a web page elsewhere cannot read the model
// through a DNS name rebound to 127.0.0.1.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { staticAssets, type Asset } from './assets.js';
import { Router } from './routes.js';
import { Session, type SessionInput } from './session.js';

export type { ExplainFn } from './session.js';
export type { NodeNumerics } from './page/protocol.js';

export const LOOPBACK = '127.0.0.1';

export interface DebugServerOptions extends SessionInput {
  /** 0 (default): any free port. */
  readonly port?: number;
  /** The static files served; the compiled page and elkjs's worker by default. */
  readonly assets?: ReadonlyMap<string, Asset>;
}

export interface DebugServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 and resolves once it listens. */
export async function startDebugServer(options: DebugServerOptions): Promise<DebugServer> {
  const router = new Router(new Session(options), options.assets ?? staticAssets());
  let allowedHosts = new Set<string>();
  const server = createServer((req, res) => {
    answer(router, allowedHosts, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('internal error\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  allowedHosts = new Set([`${LOOPBACK}:${port}`, `localhost:${port}`]);
  return {
    url: `http://${LOOPBACK}:${port}/`,
    port,
    close: () => new Promise<void>((resolve, reject) => {
      server.close((e) => (e === undefined ? resolve() : reject(e)));
      server.closeAllConnections();
    }),
  };
}

async function answer(router: Router, allowedHosts: ReadonlySet<string>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!allowedHosts.has(req.headers.host ?? '')) {
    res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('forbidden host\n');
    return;
  }
  const reply = await router.handle(req.method ?? 'GET', req.url ?? '/');
  res.writeHead(reply.status, reply.headers);
  res.end(req.method === 'HEAD' ? undefined : reply.body);
}
