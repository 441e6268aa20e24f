// Writing a plan directory atomically: everything goes into a fresh temporary directory
// beside PLAN_DIR, which is renamed into place only when complete. File names are fixed
// (plan.json, weights.safetensors; rank-R/ for tensor-parallel plans, shard-plan.ts);
// nothing from the model names a file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SolderError } from '../../ir/errors.js';
import type { EmittedPlan } from './plan.js';
import { writeSafetensorsFile } from './weights-file.js';

export const PLAN_FILE = 'plan.json';
export const WEIGHTS_FILE = 'weights.safetensors';

/** Writes plan.json and weights.safetensors to dir, replacing any previous plan there. */
export function writePlanDir(dir: string, emitted: Pick<EmittedPlan, 'plan' | 'weights'>): void {
  replaceDir(dir, (temp) => writePlanFiles(temp, emitted));
}

/** plan.json and weights.safetensors into an existing directory. */
export function writePlanFiles(dir: string, emitted: Pick<EmittedPlan, 'plan' | 'weights'>): void {
  fs.writeFileSync(path.join(dir, PLAN_FILE), `${JSON.stringify(emitted.plan, null, 1)}\n`);
  writeSafetensorsFile(path.join(dir, WEIGHTS_FILE), emitted.weights);
}

/** Fills a fresh temporary directory beside dir with `fill`, then swaps it in for dir. */
export function replaceDir(dir: string, fill: (temp: string) => void): void {
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  if (fs.existsSync(target) && !fs.statSync(target).isDirectory()) {
    throw new SolderError(`'${dir}' exists and is not a directory`);
  }
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const temp = path.join(parent, `.${path.basename(target)}.tmp-${tag}`);
  const old = path.join(parent, `.${path.basename(target)}.old-${tag}`);
  try {
    // `-o plans/bert` into a folder that does not exist yet is what users expect to work.
    fs.mkdirSync(parent, { recursive: true });
    fs.mkdirSync(temp, { recursive: false });
    fill(temp);
    const replacing = fs.existsSync(target);
    if (replacing) fs.renameSync(target, old);
    fs.renameSync(temp, target);
    if (replacing) fs.rmSync(old, { recursive: true, force: true });
  } catch (e) {
    fs.rmSync(temp, { recursive: true, force: true });
    if (fs.existsSync(old) && !fs.existsSync(target)) fs.renameSync(old, target);
    if (e instanceof SolderError) throw e;
    throw new SolderError(`cannot write plan directory '${dir}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
