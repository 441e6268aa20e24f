// Every torch.export archive in ../shared/models: imported into ONNX ops only, well formed,
// and run in the reference interpreter on its recorded inputs, matching the recorded
// PyTorch outputs within 1e-4 (max abs).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { interpret } from '../backends/reference/interpreter.js';
import { load } from '../api/load.js';
import { shapeEq } from '../ir/types.js';
import type { Graph } from '../ir/graph.js';
import { importPt2 } from '../ir/import/pt2.js';
import { readSafetensors } from '../ir/safetensors.js';
import type { Tensor } from '../ir/tensor.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const modelsDir = path.resolve(repoRoot, '../shared/models');
const archives = fs.existsSync(modelsDir) ? fs.readdirSync(modelsDir).filter((f) => f.endsWith('.pt2')).sort() : [];
const TOLERANCE = 1e-4;

/** Inputs and outputs as `in.NAME` and `out.N`. */
function recorded(archive: string): { inputs: Map<string, Tensor>; outputs: Tensor[] } {
  const io = readSafetensors(path.join(modelsDir, archive.replace(/\.pt2$/, '.io.safetensors')));
  const inputs = new Map<string, Tensor>();
  const outputs: Tensor[] = [];
  for (const [key, t] of io) {
    if (key.startsWith('in.')) inputs.set(key.slice(3), t);
    else if (/^out\.\d+$/.test(key)) outputs[Number(key.slice(4))] = t;
  }
  return { inputs, outputs };
}

/** Graph well-formedness checked here, independently of the verifier. */
function checkStructure(g: Graph): void {
  const defined = new Set([...g.inputs.map((i) => i.name), ...g.initializers.keys()]);
  const names = new Set<string>();
  for (const n of g.nodes) {
    expect(n.domain, n.name).toBe('');
    expect(n.op, n.name).toMatch(/^[A-Z][A-Za-z]+$/);
    expect(names.has(n.name), `node name ${n.name} repeats`).toBe(false);
    names.add(n.name);
    for (const i of n.inputs) if (i !== '') expect(defined.has(i), `${n.name} reads ${i} before it is defined`).toBe(true);
    for (const o of n.outputs) {
      if (o === '') continue;
      expect(defined.has(o), `${o} is defined twice`).toBe(false);
      defined.add(o);
    }
  }
  for (const o of g.outputs) expect(defined.has(o.name), `output ${o.name} is never computed`).toBe(true);
  expect(g.meta.source).toBe('pt2');
  expect(g.meta.opsets).toEqual([{ domain: '', version: 23 }]);
}

describe.skipIf(archives.length === 0)(`torch.export archives in ${modelsDir} (skipped when that folder is absent)`, () => {
  if (archives.length === 0) it('needs the shared models', () => undefined);
  for (const archive of archives) {
    describe(archive, () => {
      it('imports into ONNX ops with the recorded inputs and outputs', () => {
        const g = importPt2(path.join(modelsDir, archive));
        checkStructure(g);
        const io = recorded(archive);
        expect(g.inputs.map((i) => i.name).sort()).toEqual([...io.inputs.keys()].sort());
        for (const input of g.inputs) {
          const t = io.inputs.get(input.name) as Tensor;
          expect(input.type.dtype).toBe(t.dtype);
          expect(shapeEq(input.type.shape, t.shape)).toBe(true);
        }
        expect(g.outputs).toHaveLength(io.outputs.length);
        g.outputs.forEach((o, k) => expect(shapeEq(o.type.shape, (io.outputs[k] as Tensor).shape), o.name).toBe(true));
      });

      it('passes type inference and the verifier', () => {
        expect(() => load(path.join(modelsDir, archive))).not.toThrow();
      });

      it(`matches the recorded outputs within ${TOLERANCE} in the reference interpreter`, () => {
        const g = importPt2(path.join(modelsDir, archive));
        const io = recorded(archive);
        const result = interpret(g, io.inputs);
        g.outputs.forEach((o, k) => {
          const got = result.outputs.get(o.name) as Tensor;
          const want = io.outputs[k] as Tensor;
          expect(got.shape).toEqual(want.shape);
          let worst = 0;
          for (let i = 0; i < want.data.length; i++) {
            const d = Math.abs((got.data[i] as number) - (want.data[i] as number));
            worst = Number.isNaN(d) ? Infinity : Math.max(worst, d);
          }
          expect(worst, `out.${k} (${o.name}) max abs error`).toBeLessThanOrEqual(TOLERANCE);
        });
      });
    });
  }
});
