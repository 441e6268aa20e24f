// Every exported ONNX model in ../shared/models imports, infers and verifies, and the
// inferred output types agree with the shapes PyTorch recorded (batch 2, seq 16).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluateNode } from '../passes/evaluate.js';
import { importOnnx } from './import/onnx.js';
import { isKnown } from './dim.js';
import { inferTypes } from './infer.js';
import { verify } from './verify.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const modelsDir = path.resolve(repoRoot, '../shared/models');
const present = fs.existsSync(path.join(modelsDir, 'manifest.json'));
const files = present ? fs.readdirSync(modelsDir).filter((f) => f.endsWith('.onnx')).sort() : [];
const manifest = present ? (JSON.parse(fs.readFileSync(path.join(modelsDir, 'manifest.json'), 'utf8')) as Record<string, { outputs?: Record<string, [number[], string]> }>) : {};

describe.skipIf(!present)('shared models: import, inferTypes, verify', () => {
  if (!present) console.warn(`skipping: ${modelsDir} is absent`);
  it.each(files)('%s', (file) => {
    const imported = importOnnx(path.join(modelsDir, file));
    // Inference must stand on its own, and with the reference kernels folding shape arithmetic.
    const plain = inferTypes(imported);
    verify(plain);
    const graph = inferTypes(imported, { evaluate: evaluateNode });
    verify(graph);
    for (const node of graph.nodes) {
      for (const out of node.outputs) if (out !== '') expect(graph.valueInfo.has(out), `${node.name} -> ${out}`).toBe(true);
    }
    // out.0, out.1... in manifest order are the graph outputs in order.
    const recorded = Object.values(manifest[file.split('.').slice(0, 2).join('.')]?.outputs ?? {});
    expect(recorded.length).toBeGreaterThan(0);
    recorded.forEach(([shape], i) => {
      const type = graph.outputs[i]?.type;
      expect(type?.shape?.length, `output ${i} rank`).toBe(shape.length);
      type?.shape?.forEach((d, k) => {
        if (isKnown(d)) expect(d, `output ${i} dim ${k}`).toBe(shape[k]);
      });
    });
  });
});
