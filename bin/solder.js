#!/usr/bin/env node
// Entry point of the `solder` command. It runs the bundled CLI (dist/solder.cjs) with the V8
// code cache recorded at build time (scripts/bundle-cli.mjs), so that a fresh process neither
// resolves ~250 modules nor compiles the functions it calls. If tsc has rebuilt dist/ since the
// bundle was made (`npx tsc` alone), the bundle may be stale, so tsc's output runs instead.
// `npm run build` (and so `npm ci` and `npm test`) builds both.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { Module, createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script, constants } from 'node:vm';

const bundle = fileURLToPath(new URL('../dist/solder.cjs', import.meta.url));
const builtAt = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -1;

if (builtAt(bundle) >= builtAt(fileURLToPath(new URL('../dist/debugger/cli/main.js', import.meta.url)))) {
  runBundle(bundle);
} else {
  await import('../dist/debugger/cli/main.js');
}

function runBundle(file) {
  const source = readFileSync(file, 'utf8');
  const cacheFile = `${file}.cache`;
  // V8 checks a cache against its own version and flags but only the source's length, so the
  // cache file starts with a digest of the exact source and Node version it was made from.
  const key = Buffer.from(`${createHash('sha256').update(process.version).update(source).digest('hex')}\n`);
  const script = new Script(Module.wrap(source), {
    filename: file,
    cachedData: readCache(cacheFile, key),
    // `solder optimize --rules FILE` imports the user's module.
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (process.env.SOLDER_DEBUG_CODE_CACHE === '1') process.stderr.write(`code cache ${script.cachedDataRejected === false ? 'used' : 'not used'}\n`);
  if (process.env.SOLDER_WRITE_CODE_CACHE === '1') {
    // After the run, so the cache holds the functions it compiled, not just the top level.
    process.once('exit', () => writeAtomically(cacheFile, Buffer.concat([key, script.createCachedData()])));
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
}

/** The cached code if it was made for this source and Node; otherwise none (V8 compiles as usual). */
function readCache(cacheFile, key) {
  let data;
  try {
    data = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  return data.subarray(0, key.length).equals(key) ? data.subarray(key.length) : undefined;
}

function writeAtomically(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}
