// The shape and indexing ops on the real exported graphs: every such node runs in the
// reference interpreter, and its inferred output shape (symbols bound from the inputs'
// actual sizes) matches the shape the kernel produced.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isKnown } from '../../../ir/dim.js';
import type { Node } from '../../../ir/graph.js';
import { importModel } from '../../../ir/import/index.js';
import { inferTypes } from '../../../ir/infer.js';
import { readSafetensors } from '../../../ir/safetensors.js';
import type { Tensor } from '../../../ir/tensor.js';
import { interpret } from '../interpreter.js';
import { findKernel } from '../kernel.js';
import { evalDim } from './case-runner.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const modelsDir = path.resolve(repoRoot, '../shared/models');
const present = fs.existsSync(path.join(modelsDir, 'manifest.json'));
const files = present ? fs.readdirSync(modelsDir).filter((f) => f.endsWith('.onnx') && !f.includes('_deep')).sort() : [];

const MINE = new Set([
  'Constant', 'ConstantOfShape', 'Shape', 'Size', 'Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze', 'Expand',
  'Concat', 'Split', 'Slice', 'Tile', 'Pad', 'Range', 'Gather', 'GatherElements', 'GatherND', 'ScatterND', 'ScatterElements',
  'OneHot', 'NonZero', 'Trilu', 'CumSum', 'TopK', 'EyeLike', 'SpaceToDepth', 'DepthToSpace', 'Compress', 'ReverseSequence', 'Unique',
]);

describe.skipIf(!present)('shape and indexing ops on the shared models', () => {
  if (!present) console.warn(`skipping: ${modelsDir} is absent`);
  it.each(files)('%s', (file) => {
    const evaluate = (node: Node, inputs: readonly Tensor[]) => findKernel(node.domain, node.op)?.(inputs, node);
    const graph = inferTypes(importModel(path.join(modelsDir, file)), { evaluate });
    const io = readSafetensors(path.join(modelsDir, `${file.split('.').slice(0, 2).join('.')}.io.safetensors`));
    const feeds = new Map(graph.inputs.map((v) => [v.name, io.get(`in.${v.name}`)!]));
    const bindings = new Map<string, number>();
    for (const v of graph.inputs) {
      v.type.shape?.forEach((d, i) => {
        if (!isKnown(d)) bindings.set(d.expr, feeds.get(v.name)!.shape[i]!);
      });
    }
    let checkedDims = 0;
    interpret(graph, feeds, {
      onNode: (node, outputs) => {
        if (!MINE.has(node.op)) return;
        outputs.forEach((t, k) => {
          const inferred = graph.valueInfo.get(node.outputs[k]!)?.shape;
          if (inferred === undefined) return;
          expect(inferred.length, `${node.name} output ${k} rank`).toBe(t.shape.length);
          inferred.forEach((d, i) => {
            const v = evalDim(d, bindings);
            if (v === undefined) return;
            expect(v, `${node.name} (${node.op}) output ${k} dim ${i}`).toBe(t.shape[i]);
            checkedDims++;
          });
        });
      },
    });
    expect(checkedDims).toBeGreaterThan(0);
  });
});
