// Builds the debugger's browser page (debugger/web/tsconfig.json) and launches Chromium
// for the end-to-end tests and the layout benchmark.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

const pageSources = join(repoRoot, 'debugger', 'web', 'page');
const pageOutput = join(repoRoot, 'dist', 'debugger', 'web', 'page');

function pageIsStale(): boolean {
  const sources = readdirSync(pageSources).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  const newest = Math.max(...sources.map((f) => statSync(join(pageSources, f)).mtimeMs));
  return sources.some((f) => {
    const out = join(pageOutput, f.replace(/\.ts$/, '.js'));
    return !existsSync(out) || statSync(out).mtimeMs < newest;
  });
}

/**
 * Compiles debugger/web/page/*.ts to dist/debugger/web/page/ (what `npm run build` does for
 * the page) when a source is newer than its output. Test files run in parallel processes,
 * so a lock directory keeps two compilers from writing the same files at once.
 */
export function buildDebuggerPage(): void {
  const lock = join(tmpdir(), `solder-debugger-page-${createHash('sha1').update(repoRoot).digest('hex').slice(0, 8)}.lock`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`buildDebuggerPage: ${lock} held for 2 minutes; remove it if no test is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (!pageIsStale()) return;
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', join(repoRoot, 'debugger', 'web', 'tsconfig.json')], { stdio: 'pipe' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The bert model the tests open: the shared eager export when present, else the example. */
export function bertModel(): string {
  const shared = resolve(repoRoot, '../shared/models/bert.eager.onnx');
  return existsSync(shared) ? shared : join(repoRoot, 'examples', 'bert.sdpa.dynamo.onnx');
}
