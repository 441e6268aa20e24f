// Where the test suites find real exported models: ../shared/models when it exists
// (CI always has it), and the small models bundled in examples/ always.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const sharedModelsDir = path.resolve(repoRoot, '../shared/models');
export const examplesDir = path.join(repoRoot, 'examples');
export const haveSharedModels = fs.existsSync(sharedModelsDir);

const MODEL_FILE = /\.(onnx|pt2)$/;

/** Every model file in a folder, sorted, with the recorded-IO file that belongs to it. */
export function modelsIn(dir: string): { file: string; io: string | undefined }[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => MODEL_FILE.test(f)).sort().map((f) => {
    const io = path.join(dir, `${recordingName(f)}.io.safetensors`);
    return { file: path.join(dir, f), io: fs.existsSync(io) ? io : undefined };
  });
}

/** `bert.sdpa.dynamo.onnx` and `bert.sdpa.pt2` both record to `bert.sdpa.io.safetensors`. */
export function recordingName(file: string): string {
  return path.basename(file).replace(MODEL_FILE, '').replace(/\.dynamo$/, '');
}

/** Models of ../shared/models (when present) and examples/. */
export function allModels(): { file: string; io: string | undefined }[] {
  return [...modelsIn(sharedModelsDir), ...modelsIn(examplesDir)];
}

export function warnIfNoSharedModels(suite: string): void {
  if (!haveSharedModels) console.warn(`${suite}: ${sharedModelsDir} is absent; running on examples/ only`);
}
