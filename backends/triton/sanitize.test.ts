// Hostile model strings: names with quotes, newlines, Python code and path traversal never
// reach generated code or file names, and the plan still validates.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../ir/builder.js';
import { SolderError } from '../../ir/errors.js';
import { makeTensor } from '../../ir/tensor.js';
import { planProblems } from './plan-checks.js';
import { type Json, emitPlan } from './plan.js';
import { commentText, planName } from './sanitize.js';
import { writePlanDir } from './write.js';

const EVIL = [
  'x"\n__import__(\'os\').system(\'echo pwned\')',
  '../../../etc/passwd',
  'a"""b\nimport os',
  "y'); __import__('os'); #",
  '..\\..\\windows',
];
const FORBIDDEN = ['__import__', 'passwd', '"""b', 'import os', 'pwned', '..', 'system('];

function hostileGraph() {
  const b = new GraphBuilder('evil');
  const x = b.input(EVIL[0]!, 'float32', ['batch', 32]);
  const w = b.initializer(EVIL[1]!, makeTensor('float32', [32, 32], Array.from({ length: 1024 }, (_, i) => Math.sin(i))));
  const s = b.initializer(EVIL[4]!, makeTensor('float32', [32], Array.from({ length: 32 }, (_, i) => 1 + i / 32)));
  const [h] = b.node('MatMul', [x, w], {}, { name: EVIL[2], outputs: [EVIL[2]!] });
  const [t] = b.node('Tanh', [h!], {}, { name: EVIL[3], outputs: [EVIL[3]!] });
  const [m] = b.node('Mul', [t!, s], {}, { name: `${EVIL[1]}\n"""`, outputs: [`${EVIL[4]}.out`] });
  const [r] = b.node('ReduceSum', [m!], { axes: [-1], keepdims: 1 }, { name: EVIL[0] });
  b.output(m!, r!);
  return b.build();
}

function generatedSources(plan: { [key: string]: Json }): string[] {
  return Object.values((plan.generated_kernels ?? {}) as { [k: string]: { source: string } }).map((g) => g.source);
}

describe('model names never reach code or file names', () => {
  const emitted = emitPlan(hostileGraph(), { dtype: 'float32', maxBatch: 4, maxSeq: 8 });

  it('keeps generated sources free of model strings', () => {
    const sources = generatedSources(emitted.plan);
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) {
      for (const bad of FORBIDDEN) expect(src).not.toContain(bad);
      const python = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: src, encoding: 'utf8' });
      if (python.error === undefined) expect(python.status, python.stderr).toBe(0);
    }
  });

  it('emits a valid plan with sanitized names', () => {
    expect(planProblems(emitted.plan as never)).toEqual([]);
    const names = [
      ...Object.keys(emitted.plan.buffers as object), ...Object.keys(emitted.plan.weights as object),
      ...(emitted.plan.inputs as { name: string }[]).map((io) => io.name), ...(emitted.plan.outputs as { name: string }[]).map((io) => io.name),
    ];
    for (const n of names) expect(n).toMatch(/^[A-Za-z_][A-Za-z0-9_.]*$/);
    for (const n of names) expect(n).not.toMatch(/\.\./);
  });

  it('writes only plan.json and weights.safetensors inside PLAN_DIR', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-evil-'));
    try {
      writePlanDir(path.join(dir, 'out'), emitted);
      expect(fs.readdirSync(dir)).toEqual(['out']);
      expect(fs.readdirSync(path.join(dir, 'out')).sort()).toEqual(['plan.json', 'weights.safetensors']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('escapes comments and plan names', () => {
    expect(commentText('a\n"""\\b')).toBe('a?____b');
    expect(planName('../x', new Set())).toBe('v_._x');
    expect(planName('ok.name', new Set(['ok.name']))).toBe('ok.name_1');
  });
});

describe('unsupported ops', () => {
  it('fail with one line naming the node and op', () => {
    const b = new GraphBuilder('cumsum');
    const x = b.input('x', 'float32', ['batch', 8]);
    const axis = b.initializer('axis', makeTensor('int64', [], [1]));
    const [y] = b.node('CumSum', [x, axis], {}, { name: 'bad\nnode' });
    b.output(y!);
    let error: unknown;
    try {
      emitPlan(b.build(), { dtype: 'float32', maxBatch: 2, maxSeq: 8 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SolderError);
    expect((error as Error).message).toMatch(/^node 'bad node' \(CumSum\): CumSum cannot run on the Triton runtime/);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('writePlanDir is atomic', () => {
  it('leaves the previous plan in place when writing fails', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-atomic-'));
    try {
      const target = path.join(dir, 'plan');
      writePlanDir(target, { plan: { version: 1 }, weights: new Map() });
      const before = fs.readFileSync(path.join(target, 'plan.json'), 'utf8');
      const bad = new Map([['w', { dtype: 'string' as const, shape: [1], data: new Float32Array(1) }]]);
      expect(() => writePlanDir(target, { plan: { version: 2 }, weights: bad })).toThrow(SolderError);
      expect(fs.readFileSync(path.join(target, 'plan.json'), 'utf8')).toBe(before);
      expect(fs.readdirSync(dir)).toEqual(['plan']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
