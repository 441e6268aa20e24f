// A user's check command as a reduce predicate: each candidate is written as an ONNX file,
// the command runs with its path (in place of `{}`, or appended), and a nonzero exit (or the
// exit code asked for) means the candidate still fails. Each run has a timeout, after which
// its whole process group is killed; a run that timed out or died by a signal does not count
// as failing, so a hang never becomes the "bug" the reduction converges to.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { exportOnnx } from '../../ir/export/onnx.js';
import type { Graph } from '../../ir/graph.js';
import type { FailingCheck } from '../reduce.js';

export interface CommandCheckOptions {
  /** Shell command; `{}` stands for the candidate's path, else the path is appended. */
  readonly command: string;
  /** Folder the candidate files go to (the caller creates and removes it). */
  readonly dir: string;
  readonly timeoutMs: number;
  /** Only this exit code means "still fails" (default: any nonzero code). */
  readonly failCode?: number;
}

export interface CommandRun {
  readonly code: number | null;
  readonly timedOut: boolean;
  /** The last lines of stdout and stderr together. */
  readonly tail: string;
}

export interface CommandCheck {
  readonly check: FailingCheck;
  /** The last run, for messages (why did the whole model not fail?). */
  lastRun(): CommandRun | undefined;
}

export function commandCheck(options: CommandCheckOptions): CommandCheck {
  const file = path.join(options.dir, 'candidate.onnx');
  let last: CommandRun | undefined;
  const check = async (candidate: Graph) => {
    // One file, weights inline: the command gets a single path.
    exportOnnx(candidate, file, { externalDataThreshold: Infinity });
    last = await runCommand(withPath(options.command, file), options.timeoutMs);
    if (last.timedOut || last.code === null) return false;
    return options.failCode === undefined ? last.code !== 0 : last.code === options.failCode;
  };
  return { check, lastRun: () => last };
}

function withPath(command: string, file: string): string {
  const quoted = `'${file.replace(/'/g, `'\\''`)}'`;
  return command.includes('{}') ? command.split('{}').join(quoted) : `${command} ${quoted}`;
}

const TAIL_CHARS = 2000;

function runCommand(command: string, timeoutMs: number): Promise<CommandRun> {
  return new Promise((resolve) => {
    // Its own process group, so that a timeout kills what the shell started too.
    const child = spawn('/bin/sh', ['-c', command], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-TAIL_CHARS);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, timedOut, tail: `${tail}${e.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, timedOut, tail });
    });
  });
}
