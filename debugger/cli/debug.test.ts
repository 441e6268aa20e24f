import { type ChildProcess, spawn } from 'node:child_process';
import { get } from 'node:http';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bertModel, buildDebuggerPage } from '../../test/debugger-page.js';

const repoRoot = resolve(import.meta.dirname, '..', '..');

/** Runs `solder debug ARGS` (the command object, through tsx) in a child process. */
function debugProcess(args: readonly string[]): ChildProcess {
  const script = `import { debugCommand } from ${JSON.stringify(join(repoRoot, 'debugger/cli/debug.ts'))};
const ok = await debugCommand.run(${JSON.stringify(args)});
process.stdout.write('stopped ' + ok + '\\n');`;
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
}

function fetchText(url: string): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    get(url, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
    }).on('error', fail);
  });
}

describe('solder debug', () => {
  it('prints a loopback URL, serves both graphs, and stops on Ctrl-C', async () => {
    buildDebuggerPage();
    const model = bertModel();
    const child = debugProcess([model, '--compare', model]);
    let out = '';
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    const url = await new Promise<string>((ok, fail) => {
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /at (http:\/\/127\.0\.0\.1:\d+\/) \(Ctrl-C to stop\)/.exec(out);
        if (m !== null) ok(m[1] as string);
      });
      child.on('exit', () => fail(new Error(`exited early: ${out}${err}`)));
    });
    const session = JSON.parse((await fetchText(`${url}api/session`)).body) as { sides: string[] };
    expect(session.sides).toEqual(['before', 'after']);
    const after = JSON.parse((await fetchText(`${url}api/graph?side=after`)).body) as { nodes: { status: string }[] };
    // The same model on both sides: every node matched by name.
    expect(after.nodes.length).toBeGreaterThan(50);
    expect(after.nodes.every((n) => n.status === 'same')).toBe(true);
    const code = await new Promise<number | null>((ok) => {
      child.on('exit', (c) => ok(c));
      child.kill('SIGINT');
    });
    expect(code).toBe(0);
    expect(out).toContain('stopped true');
  });

  it('rejects a bad port as a usage error', async () => {
    const child = debugProcess([bertModel(), '--port', '70000']);
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((ok) => child.on('exit', (c) => ok(c)));
    expect(code).not.toBe(0);
    expect(err).toContain('--port must be an integer from 0 to 65535');
  });
});
