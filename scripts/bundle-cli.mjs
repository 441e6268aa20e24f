// Bundles the `solder` command into dist/solder.mjs (plus dist/solder-chunks/): Node loads
// it in about a third of the time it takes to resolve, read and link the ~250 modules tsc
// emits (`solder optimize` ~70 ms instead of ~200 ms before any work). `npm run build` runs
// it after tsc; dist/index.js stays the library's entry, and bin/solder.js falls back to
// tsc's output while the bundle is stale.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const CHUNKS = 'solder-chunks';

// Chunk names carry content hashes: drop the previous build's rather than pile them up.
fs.rmSync(path.join(dist, CHUNKS), { recursive: true, force: true });
await build({
  entryPoints: { solder: path.join(root, 'debugger/cli/main.ts') },
  outdir: dist,
  outExtension: { '.js': '.mjs' },
  // Each command's `await import()` becomes its own chunk, loaded only when that command runs.
  splitting: true,
  chunkNames: `${CHUNKS}/[name]-[hash]`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // The CommonJS packages (onnx-proto, protobufjs, yauzl, graphology) are required at run
  // time through ir/cjs.ts, found in node_modules from dist/ like tsc's output finds them.
  // The web debugger serves elkjs's worker as a file; playwright-core is for tests only.
  external: ['elkjs', 'playwright-core'],
  logLevel: 'warning',
});
