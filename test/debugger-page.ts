// Builds the debugger's browser page (debugger/web/tsconfig.json) and launches Chromium
// for the end-to-end tests and the layout benchmark.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** Compiles debugger/web/page/*.ts to dist/debugger/web/page/ (what `npm run build` does for the page). */
export function buildDebuggerPage(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(repoRoot, 'debugger', 'web', 'tsconfig.json')], { stdio: 'pipe' });
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
