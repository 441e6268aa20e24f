// Runs ONNX models in ONNX Runtime (python3 + onnxruntime, through test/ort_run.py) and
// returns the max abs error of each output against the expected tensors.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { save } from '../api/load.js';
import type { Graph } from '../ir/graph.js';
import { encodeSafetensors } from '../ir/safetensors.js';
import type { Tensor } from '../ir/tensor.js';
import { repoRoot } from './models.js';

const ORT_RUN = path.join(repoRoot, 'test/ort_run.py');

/** Whether python3 can import onnxruntime (and safetensors, which ort_run.py reads). */
export const haveOrt: boolean = spawnSync('python3', ['-c', 'import onnxruntime, safetensors, numpy'], { stdio: 'ignore' }).status === 0;

export function warnIfNoOrt(suite: string): void {
  if (!haveOrt) console.warn(`${suite}: skipped, python3 cannot import onnxruntime (pip install onnxruntime safetensors numpy)`);
}

/** out.N -> max abs error of ORT's output N against the recording; throws with ORT's message when it fails. */
export function ortErrors(model: string, io: string): Record<string, number> {
  const r = spawnSync('python3', [ORT_RUN, model, io], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`onnxruntime failed on ${path.basename(model)}: ${lastLines(r.stderr)}`);
  return (JSON.parse(r.stdout) as { outputs: Record<string, number> }).outputs;
}

/** Saves the graph and runs it in ORT on `inputs`, against `want` (graph output order). */
export function ortErrorsOn(graph: Graph, inputs: ReadonlyMap<string, Tensor>, want: readonly Tensor[]): Record<string, number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-ort-'));
  try {
    const model = path.join(dir, 'model.onnx');
    save(graph, model);
    const io = new Map<string, Tensor>();
    for (const [name, t] of inputs) io.set(`in.${name}`, t);
    want.forEach((t, i) => io.set(`out.${i}`, t));
    fs.writeFileSync(path.join(dir, 'io.safetensors'), encodeSafetensors(io));
    return ortErrors(model, path.join(dir, 'io.safetensors'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function lastLines(text: string): string {
  const lines = text.trim().split('\n').filter((l) => !/Warning|^\s*$/.test(l));
  return lines.slice(-3).join(' | ').slice(0, 600);
}
