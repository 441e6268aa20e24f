// The command line as a user meets it: real processes, exit codes, one-line errors.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeSafetensors, readSafetensors } from '../ir/safetensors.js';
import { makeTensor } from '../ir/tensor.js';
import { examplesDir, repoRoot } from './models.js';

const solder = path.join(repoRoot, 'bin/solder.js');
const model = path.join(examplesDir, 'bert.sdpa.dynamo.onnx');
const io = path.join(examplesDir, 'bert.sdpa.io.safetensors');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [solder, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function expectUserError(r: ReturnType<typeof cli>, ...mentions: string[]) {
  expect(r.code).toBe(2);
  expect(r.out).toBe('');
  const lines = r.err.trimEnd().split('\n');
  expect(lines, r.err).toHaveLength(1);
  expect(lines[0]).not.toMatch(/\bat .*\.js:\d+/);
  for (const m of mentions) expect(lines[0]).toContain(m);
}

function writeFile(name: string, bytes: Uint8Array | string): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, bytes);
  return f;
}

describe('solder inspect', () => {
  it('summarises the bundled example', () => {
    const r = cli('inspect', model);
    expect(r.code).toBe(0);
    expect(r.out).toContain('input_ids  int64[batch, seq]');
    expect(r.out).toMatch(/nodes: \d+/);
    expect(r.out).toContain('MatMul');
  });

  it('prints JSON that agrees with the text', () => {
    const r = cli('inspect', model, '--json');
    const json = JSON.parse(r.out) as { nodeCount: number; parameterCount: number; ops: { op: string; count: number }[] };
    expect(json.ops.reduce((s, o) => s + o.count, 0)).toBe(json.nodeCount);
    expect(cli('inspect', model).out).toContain(`nodes: ${json.nodeCount}`);
  });
});

describe('solder run --compare', () => {
  it('passes against the recording', () => {
    const r = cli('run', model, '--inputs', io, '--compare');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/out\.0 .*max abs \d\.\d+e-\d+ .*ok/);
  });

  it('exits 1 when an output is off beyond tolerance', () => {
    const tensors = readSafetensors(io);
    const out0 = tensors.get('out.0')!;
    const shifted = makeTensor(out0.dtype, out0.shape, Array.from(out0.data, (v, i) => (i === 5 ? v + 0.5 : v)));
    tensors.set('out.0', shifted);
    const r = cli('run', model, '--inputs', writeFile('shifted.safetensors', encodeSafetensors(tensors)), '--compare', '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as { comparisons: { maxAbs: number; worstIndex: number; ok: boolean }[] };
    expect(report.comparisons[0]!.ok).toBe(false);
    expect(report.comparisons[0]!.worstIndex).toBe(5);
    expect(report.comparisons[0]!.maxAbs).toBeCloseTo(0.5, 5);
  });
});

describe('user mistakes: one line, exit 2', () => {
  it('missing file', () => expectUserError(cli('inspect', path.join(tmp, 'nope.onnx')), 'nope.onnx'));
  it('malformed protobuf', () => expectUserError(cli('inspect', writeFile('junk.onnx', 'this is not a model')), 'junk.onnx'));
  it('truncated model', () => {
    const bytes = fs.readFileSync(model);
    expectUserError(cli('inspect', writeFile('cut.onnx', bytes.subarray(0, bytes.length >> 1))), 'cut.onnx');
  });
  it('truncated zip', () => expectUserError(cli('inspect', writeFile('cut.pt2', Buffer.from('PK\u0003\u0004 not really'))), 'cut.pt2'));
  it('unknown extension', () => expectUserError(cli('inspect', writeFile('model.txt', 'x')), 'model.txt'));
  it('unknown command', () => expectUserError(cli('frobnicate'), 'frobnicate'));
  it('unknown flag', () => expectUserError(cli('inspect', model, '--frob'), 'frob'));

  it('wrong input name', () => {
    const tensors = readSafetensors(io);
    tensors.set('in.not_an_input', makeTensor('int64', [2, 16], new Array(32).fill(1)));
    expectUserError(cli('run', model, '--inputs', writeFile('extra.safetensors', encodeSafetensors(tensors))), 'not_an_input');
  });

  it('wrong input shape', () => {
    const tensors = readSafetensors(io);
    tensors.set('in.input_ids', makeTensor('int64', [2, 16, 1], new Array(32).fill(1)));
    expectUserError(cli('run', model, '--inputs', writeFile('rank.safetensors', encodeSafetensors(tensors))), 'input_ids');
  });

  it('convert refuses a non-.onnx output and writes nothing', () => {
    const out = path.join(tmp, 'out.bin');
    expectUserError(cli('convert', model, '-o', out), 'out.bin');
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('solder convert', () => {
  it('writes an ONNX file that runs to the recorded outputs', () => {
    const out = path.join(tmp, 'copy.onnx');
    expect(cli('convert', model, '-o', out).code).toBe(0);
    const r = cli('run', out, '--inputs', io, '--compare');
    expect(r.code, r.err).toBe(0);
  });
});

describe('the solder launcher (bin/solder.js)', () => {
  const debugEnv = { ...process.env, SOLDER_DEBUG_CODE_CACHE: '1' };

  it('runs the bundle with the code cache that npm run build recorded', () => {
    const r = spawnSync(process.execPath, [solder, '--help'], { encoding: 'utf8', env: debugEnv });
    expect(r.status).toBe(0);
    expect(r.stderr, 'run npm run build: a bare npx tsc makes bin/solder.js run tsc output instead').toContain('code cache used');
  });

  it('ignores a cache recorded for another source of the same length', () => {
    // V8 itself would take it: it checks a cache against the source's length only.
    const copy = path.join(tmp, 'launcher');
    fs.mkdirSync(path.join(copy, 'bin'), { recursive: true });
    fs.mkdirSync(path.join(copy, 'dist'), { recursive: true });
    fs.copyFileSync(solder, path.join(copy, 'bin', 'solder.js'));
    fs.copyFileSync(path.join(repoRoot, 'dist', 'solder.cjs.cache'), path.join(copy, 'dist', 'solder.cjs.cache'));
    const source = fs.readFileSync(path.join(repoRoot, 'dist', 'solder.cjs'), 'utf8');
    const edited = source.replace('solder: rewrite exported', 'Solder: rewrite exported');
    expect(edited).not.toBe(source);
    fs.writeFileSync(path.join(copy, 'dist', 'solder.cjs'), edited);
    const r = spawnSync(process.execPath, [path.join(copy, 'bin', 'solder.js'), '--help'], { encoding: 'utf8', env: debugEnv });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('code cache not used');
    expect(r.stdout).toContain('Solder: rewrite exported');
  });
});
