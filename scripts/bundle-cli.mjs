// Bundles the `solder` command into one CommonJS file, dist/solder.cjs, and records a V8 code
// cache for it (dist/solder.cjs.cache) by running it once on the bundled example model.
// Why: a fresh `solder optimize` spends a large share of its time loading code, not running it.
// Node resolves, reads and links tsc's ~250 modules in ~200 ms; one bundle loads in a third of
// that; and with the code cache V8 also skips compiling every function the run calls (~0.1 s
// less for llama_deep). `npm run build` runs this after tsc; dist/index.js stays the library's
// entry, and bin/solder.js falls back to tsc's output while the bundle is stale.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// `--into DIR`: bundle into DIR/dist for a copy of the command at DIR (DIR/bin/solder.js is
// copied there), as bench/gpu_bert_bundle.sh ships it; by default, this checkout's own dist/.
const into = process.argv.includes('--into') ? path.resolve(process.argv[process.argv.indexOf('--into') + 1]) : root;
const dist = path.join(into, 'dist');
const bundle = path.join(dist, 'solder.cjs');
if (into !== root) {
  fs.mkdirSync(path.join(into, 'bin'), { recursive: true });
  fs.copyFileSync(path.join(root, 'bin', 'solder.js'), path.join(into, 'bin', 'solder.js'));
  fs.copyFileSync(path.join(root, 'package.json'), path.join(into, 'package.json'));
}

// Earlier builds wrote an ES-module bundle split into chunks.
for (const old of ['solder.mjs', 'solder-chunks']) fs.rmSync(path.join(dist, old), { recursive: true, force: true });
fs.rmSync(`${bundle}.cache`, { force: true });

await build({
  entryPoints: [path.join(root, 'debugger/cli/main.ts')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  // CommonJS because V8's code cache is reachable from vm.Script, which runs scripts, not modules.
  format: 'cjs',
  target: 'node20',
  // The source finds files next to itself through import.meta.url, which CommonJS lacks.
  define: { 'import.meta.url': '__solderBundleUrl' },
  banner: { js: 'const __solderBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  // The web debugger serves elkjs's worker as a file; playwright-core is for tests only.
  external: ['elkjs', 'playwright-core'],
  plugins: [bundleCommonJsDependencies()],
  logLevel: 'warning',
});
recordCodeCache();

/**
 * ir/cjs.ts requires the CommonJS packages (onnx-proto, protobufjs, yauzl, graphology) through
 * createRequire, which keeps Node's ES-module loader from scanning them. In a CommonJS bundle
 * the plain `require` is the right one, and esbuild bundles what it sees required, so their
 * code lands in the bundle and in its code cache too.
 */
function bundleCommonJsDependencies() {
  const createRequireLine = 'const require = createRequire(import.meta.url);';
  return {
    name: 'bundle-commonjs-dependencies',
    setup(b) {
      b.onLoad({ filter: /[\\/]ir[\\/]cjs\.ts$/ }, (args) => {
        const source = fs.readFileSync(args.path, 'utf8');
        if (!source.includes(createRequireLine)) throw new Error(`${args.path} no longer has '${createRequireLine}': update scripts/bundle-cli.mjs`);
        return { contents: source.replace(createRequireLine, ''), loader: 'ts' };
      });
    },
  };
}

/** One `solder optimize` of the example model, with bin/solder.js told to save the code cache as it exits. */
function recordCodeCache() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-code-cache-'));
  try {
    const example = path.join(root, 'examples', 'bert.sdpa.dynamo.onnx');
    const args = [path.join(into, 'bin', 'solder.js'), 'optimize', example, '-o', path.join(tmp, 'out.onnx'), '--quiet'];
    const run = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, SOLDER_WRITE_CODE_CACHE: '1' } });
    if (run.status !== 0) throw new Error(`the bundled CLI failed on ${example}: ${run.stderr}`);
    if (!fs.existsSync(`${bundle}.cache`)) throw new Error(`the bundled CLI ran but wrote no ${bundle}.cache`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
