#!/usr/bin/env node
// Entry point of the `solder` command. It runs the bundled CLI (dist/solder.mjs, which loads in
// about a third of the time tsc's ~250 modules take), unless tsc has rebuilt dist/ since the
// bundle was made (`npx tsc` alone): the bundle may be stale then, so tsc's output runs instead.
// `npm run build` (and so `npm ci` and `npm test`) builds both.
import { statSync } from 'node:fs';

const builtAt = (file) => statSync(new URL(file, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -1;
const bundleIsFresh = builtAt('../dist/solder.mjs') >= builtAt('../dist/debugger/cli/main.js');
await import(bundleIsFresh ? '../dist/solder.mjs' : '../dist/debugger/cli/main.js');
