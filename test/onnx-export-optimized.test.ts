// Every ONNX fixture, optimized and lowered for ONNX Runtime (what `solder optimize` writes),
// runs in ORT to the recorded outputs; and the command itself writes that model and its report.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { load, save } from '../api/load.js';
import { lowerForOnnxRuntime } from '../backends/onnx/lower.js';
import { optimizeCommand } from '../debugger/cli/optimize.js';
import { GraphBuilder } from '../ir/builder.js';
import { SOLDER_DOMAIN } from '../ir/graph.js';
import { optimize } from '../passes/optimize.js';
import { allModels, examplesDir, repoRoot, warnIfNoSharedModels } from './models.js';
import { haveOrt, ortErrors, warnIfNoOrt } from './ort-check.js';

warnIfNoSharedModels('onnx-export-optimized');
warnIfNoOrt('onnx-export-optimized');

const TOL = 1e-4;
const fixtures = allModels().filter((m) => m.file.endsWith('.onnx') && m.io !== undefined);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-export-'));
const lowering: string[] = [];

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  if (lowering.length > 0) console.info(`fused op -> what ORT runs, per fixture:\n${lowering.join('\n')}`);
});

describe.skipIf(!haveOrt)('optimized, lowered ONNX fixtures run in ONNX Runtime', () => {
  it.each(fixtures.map((m) => [path.basename(m.file), m] as const))('%s', (name, m) => {
    const { graph, report } = optimize(load(m.file));
    const lowered = lowerForOnnxRuntime(graph);
    expect(lowered.kept, 'solder ops ORT cannot run').toEqual({});
    expect(lowered.graph.nodes.filter((n) => n.domain === SOLDER_DOMAIN)).toEqual([]);
    // Every fused node was lowered to something: the counts add up.
    for (const [op, count] of Object.entries(report.fused)) {
      expect(Object.values(lowered.lowered[op] ?? {}).reduce((a, b) => a + b, 0), `${op} lowered`).toBe(count);
    }
    const out = path.join(tmp, name);
    save(lowered.graph, out);
    const errors = ortErrors(out, m.io!);
    expect(Object.keys(errors).length).toBeGreaterThan(0);
    for (const [key, err] of Object.entries(errors)) expect(err, `${key} max abs`).toBeLessThanOrEqual(TOL);
    const forms = Object.entries(lowered.lowered).map(([op, f]) => `${op} -> ${Object.entries(f).map(([form, n]) => `${form} x${n}`).join(', ')}`);
    lowering.push(`  ${name}: ${forms.join('; ') || 'no fused ops'}`);
  }, 180_000);
});

describe.skipIf(!haveOrt)('solder optimize', () => {
  const model = path.join(examplesDir, 'bert.sdpa.dynamo.onnx');
  const io = path.join(examplesDir, 'bert.sdpa.io.safetensors');

  it('writes a model ORT runs and a report of exactly the documented fields; --quiet prints nothing', async () => {
    const out = path.join(tmp, 'cli.onnx');
    const reportFile = path.join(tmp, 'cli.report.json');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await optimizeCommand.run([model, '-o', out, '--report', reportFile, '--quiet'])).toBe(true);
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
    const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(report).sort()).toEqual(['export', 'fused', 'leftover_ops', 'nodes_after', 'nodes_before', 'rules', 'seconds']);
    expect(Object.keys(report.export as object).sort()).toEqual(['kept_solder_ops', 'lowered']);
    expect(report.nodes_after as number).toBeLessThan(report.nodes_before as number);
    for (const err of Object.values(ortErrors(out, io))) expect(err).toBeLessThanOrEqual(TOL);
  }, 120_000);

  it('--json prints the report; --keep-solder-ops writes the fused ops as they are', async () => {
    const out = path.join(tmp, 'kept.onnx');
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      expect(await optimizeCommand.run([model, '-o', out, '--json', '--keep-solder-ops'])).toBe(true);
    } finally {
      write.mockRestore();
    }
    const report = JSON.parse(printed.join('')) as { fused: Record<string, number>; export: { lowered: object; kept_solder_ops: Record<string, number> } };
    expect(report.export.lowered).toEqual({});
    const fusedTotal = Object.values(report.fused).reduce((a, b) => a + b, 0);
    expect(Object.values(report.export.kept_solder_ops).reduce((a, b) => a + b, 0)).toBe(fusedTotal);
    const written = load(out);
    expect(written.nodes.filter((n) => n.domain === SOLDER_DOMAIN).length).toBe(fusedTotal);
  }, 120_000);

  it('--rules FILE loads a user module and passes its rules to optimize next to the built-in ones', async () => {
    const file = path.join(tmp, 'user-rules.mjs');
    const url = (f: string) => pathToFileURL(path.join(repoRoot, f)).href;
    // Relu(x) -> Max(x, 0): the same function, and visible in the report when applied.
    fs.writeFileSync(file, [
      `import { rule } from '${url('patterns/rule.ts')}';`,
      `import { op, capture } from '${url('patterns/pattern.ts')}';`,
      `export const rules = [rule({ name: 'user/relu-via-max', root: 'Relu', pattern: op('Relu', capture('x')),`,
      `  rewrite: (m, ctx) => ({ nodes: [{ op: 'Max', inputs: [m.value('x'), ctx.initializer('zero', { dtype: 'float32', shape: [], data: new Float32Array([0]) })], outputs: [...m.root.outputs] }], replaces: 'root' }) })];`,
    ].join('\n'));
    const out = path.join(tmp, 'user.onnx');
    const graph = new GraphBuilder('relu');
    graph.output(graph.node('Relu', [graph.node('Sin', [graph.input('x', 'float32', [4])])[0]!])[0]!);
    const modelFile = path.join(tmp, 'relu.onnx');
    save(graph.build(), modelFile);
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      expect(await optimizeCommand.run([modelFile, '-o', out, '--json', '--rules', file])).toBe(true);
    } finally {
      write.mockRestore();
    }
    const report = JSON.parse(printed.join('')) as { rules: Record<string, number>; leftover_ops: Record<string, number> };
    expect(report.rules['user/relu-via-max']).toBe(1);
    expect(report.leftover_ops).toEqual({ Sin: 1, Max: 1 });
  });

  it('refuses a missing -o and a rules module without `rules`, in one line', async () => {
    await expect(optimizeCommand.run([model])).rejects.toThrow(/optimize: -o OUT.onnx is required/);
    const bad = path.join(tmp, 'bad-rules.mjs');
    fs.writeFileSync(bad, 'export const notRules = 1;\n');
    await expect(optimizeCommand.run([model, '-o', path.join(tmp, 'x.onnx'), '--rules', bad])).rejects.toThrow(/must export `rules`/);
  });
});
