// diffGraphs and `solder diff`: exact mappings from provenance, and name + structure matching
// between unrelated exports of one model, validated by the values the matched nodes compute.
import { describe, expect, it } from 'vitest';
import { load } from '../api/load.js';
import { readRecordedIO } from '../api/run.js';
import { interpret } from '../backends/reference/interpreter.js';
import { diffCommand } from '../debugger/cli/diff.js';
import { diffGraphs } from '../debugger/diff.js';
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { captureStdout, inputsPath, modelPath, optimizedFixture } from './debugger-tools-fixtures.js';
import { haveSharedModels, sharedModelsDir } from './models.js';

describe.skipIf(!haveSharedModels)(`diffGraphs on real models (needs ${sharedModelsDir})`, () => {
  it('maps every fused node of the optimized bert exactly to its origins', () => {
    const { original, optimized } = optimizedFixture('bert.eager.onnx');
    const d = diffGraphs(original, optimized);
    expect(d.mode).toBe('provenance');
    expect(d.unknownOrigins).toEqual([]);
    const fused = optimized.nodes.filter((n) => n.origins !== undefined && n.origins.length > 0);
    expect(fused.length).toBeGreaterThan(0);
    for (const n of fused) {
      const m = d.mappings.find((x) => x.b.includes(n.name));
      expect(m, n.name).toBeDefined();
      expect(m!.kind).toBe('replaced');
      expect([...m!.a].sort()).toEqual([...n.origins!].sort());
    }
    // Every node of B is in exactly one mapping or added; every node of A in some mapping or removed.
    const seenB = [...d.mappings.flatMap((m) => m.b), ...d.added];
    expect([...seenB].sort()).toEqual(optimized.nodes.map((n) => n.name).sort());
    const seenA = new Set(d.mappings.flatMap((m) => m.a));
    expect(d.removed.filter((n) => seenA.has(n))).toEqual([]);
    expect([...seenA, ...d.removed].sort()).toEqual(original.nodes.map((n) => n.name).sort());
    // Nodes outside any fusion keep their names.
    for (const m of d.mappings.filter((x) => x.kind !== 'replaced')) expect(m.a).toEqual(m.b);
    // Given the other way round, the same mapping with the sides swapped.
    const back = diffGraphs(optimized, original);
    expect(back.mode).toBe('provenance');
    const key = (x: readonly string[], y: readonly string[], kind: string) => JSON.stringify([x, y, kind]);
    expect(back.mappings.map((m) => key(m.b, m.a, m.kind)).sort()).toEqual(d.mappings.map((m) => key(m.a, m.b, m.kind)).sort());
  });

  it('matches most nodes of two unrelated exports (bert .onnx vs .pt2), and the matches compute the same values', () => {
    const a = load(modelPath('bert.eager.onnx'));
    const b = load(modelPath('bert.eager.pt2'));
    const d = diffGraphs(a, b);
    expect(d.mode).toBe('structure');
    // Measured 0.827 of the ONNX graph's 104 nodes and 0.754 of the pt2 graph's 114. What is
    // left differs for real: the pt2 graph spells linear layers as Transpose(W) + MatMul and
    // the mask as ConstantOfShape + Range, the ONNX graph has Shape/Squeeze chains instead.
    expect(d.a.fraction).toBeGreaterThan(0.8);
    expect(d.b.fraction).toBeGreaterThan(0.7);
    expect(d.counts.by.neighbour + d.counts.by.structure).toBeGreaterThan(20);
    // Most matched pairs compute the same tensor (measured 82 of 86; the rest are Reshapes
    // of the same data in another layout, since pt2 transposes the attention heads elsewhere).
    expect(sameValueShare(a, b, d.mappings)).toBeGreaterThan(0.9);
  });

  it('matches .onnx against .dynamo.onnx of the same model almost completely', () => {
    const d = diffGraphs(load(modelPath('bert.eager.onnx')), load(modelPath('bert.eager.dynamo.onnx')));
    // Measured 0.904 / 0.979: the dynamo export has no decomposed Gelu (10 nodes fewer).
    expect(d.a.fraction).toBeGreaterThan(0.88);
    expect(d.b.fraction).toBeGreaterThan(0.95);
  });

  it('matches a copy with every node renamed back to the same nodes, by structure alone', () => {
    for (const file of ['bert.eager.onnx', 'llama.eager.onnx']) {
      const g = load(modelPath(file));
      const renamed: Graph = { ...g, nodes: g.nodes.map((n) => ({ ...n, name: `copy/${[...n.name].reverse().join('')}` })) };
      const d = diffGraphs(g, renamed);
      expect(d.counts.by.name).toBe(0);
      expect(d.a.fraction).toBe(1);
      for (const m of d.mappings) expect(m.b).toEqual([`copy/${[...m.a[0]!].reverse().join('')}`]);
    }
  });
});

describe.skipIf(!haveSharedModels)('solder diff', () => {
  it('prints the summary and the first changes, and the full mapping with --json', async () => {
    const file = modelPath('bert.eager.onnx');
    const human = await captureStdout(() => diffCommand.run([file, modelPath('bert.eager.pt2'), '--limit', '3']));
    expect(human.ok).toBe(true);
    expect(human.out).toMatch(/matched\s+86 \(82\.7%\)\s+86 \(75\.4%\)/);
    expect(human.out.match(/^ {2}[~*+-] /gm)).toHaveLength(3);
    const json = await captureStdout(() => diffCommand.run([file, '--optimize', '--json']));
    const d = JSON.parse(json.out);
    expect(d.mode).toBe('provenance');
    expect(d.mappings.some((m: { kind: string }) => m.kind === 'replaced')).toBe(true);
  });

  it('rejects a missing second model as a usage error', async () => {
    await expect(diffCommand.run([modelPath('bert.eager.onnx')])).rejects.toThrow(/expected 2 file argument/);
  });
});

/** Share of one-to-one mappings whose first outputs hold the same values on the recorded inputs. */
function sameValueShare(a: Graph, b: Graph, mappings: readonly { a: readonly string[]; b: readonly string[] }[]): number {
  const inputs = readRecordedIO(inputsPath('bert.eager.onnx')).inputs;
  const va = interpret(a, inputs, { keepAll: true }).values;
  const vb = interpret(b, inputs, { keepAll: true }).values;
  const byName = (g: Graph) => new Map(g.nodes.map((n) => [n.name, n]));
  const [na, nb] = [byName(a), byName(b)];
  const same = mappings.filter((m) => {
    const x = va.get(na.get(m.a[0]!)!.outputs[0]!);
    const y = vb.get(nb.get(m.b[0]!)!.outputs[0]!);
    return x !== undefined && y !== undefined && close(x, y);
  });
  return same.length / mappings.length;
}

function close(x: Tensor, y: Tensor): boolean {
  if (x.shape.length !== y.shape.length || x.shape.some((d, i) => d !== y.shape[i])) return false;
  for (let i = 0; i < x.data.length; i++) if (Math.abs(x.data[i]! - y.data[i]!) > 1e-4 * (1 + Math.abs(x.data[i]!))) return false;
  return true;
}
