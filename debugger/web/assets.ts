// The only files the debug server ever reads: the compiled page modules and elkjs's
// worker, each under a fixed URL. No part of a request URL becomes a path.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SolderError } from '../../ir/errors.js';

/** The page's ES modules (debugger/web/page/*.ts compiled by debugger/web/tsconfig.json). */
export const PAGE_MODULES = [
  'main', 'api', 'dom', 'elk', 'tree', 'layout', 'quick-layout', 'render', 'viewport', 'pane', 'panels', 'search',
] as const;

export const ELK_WORKER_URL = '/vendor/elk-worker.min.js';

export interface Asset {
  readonly file: string;
  readonly contentType: string;
  /** Seconds a browser may keep it (lets V8 cache elkjs's compiled code); page modules are never cached. */
  readonly maxAge?: number;
}

const JS = 'text/javascript; charset=utf-8';

/**
 * The compiled page, dist/debugger/web/page/ of the package this file belongs to: found from
 * the package root because this code runs from tsc's dist/, from the CLI bundled into dist/,
 * or from the sources under tests.
 */
export function findPageDir(): string {
  const dir = join(packageRoot(), 'dist', 'debugger', 'web', 'page');
  if (!existsSync(join(dir, 'main.js'))) {
    throw new SolderError(`the debugger page is not built (looked for main.js in ${dir}): run npm run build`);
  }
  return dir;
}

/** The nearest folder above this file that holds a package.json. */
function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new SolderError(`no package.json above ${here}: solder is not installed as a package`);
  }
}

/** URL path -> file, fixed when the server starts. */
export function staticAssets(pageDir: string = findPageDir()): ReadonlyMap<string, Asset> {
  const require = createRequire(import.meta.url);
  const elkWorker = require.resolve('elkjs/lib/elk-worker.min.js');
  const assets = new Map<string, Asset>();
  for (const m of PAGE_MODULES) assets.set(`/page/${m}.js`, { file: join(pageDir, `${m}.js`), contentType: JS });
  assets.set(ELK_WORKER_URL, { file: elkWorker, contentType: JS, maxAge: 3600 });
  return assets;
}
