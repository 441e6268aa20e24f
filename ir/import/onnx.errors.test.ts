// Bad ONNX input gives one SolderError that names the file (and the node where there is one).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { externalFloats, floatValue, modelBytes } from '../../test/onnx-fixtures.js';
import { SolderError } from '../errors.js';
import { importOnnx } from './onnx.js';

const example = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/bert.sdpa.dynamo.onnx');

let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-onnx-err-'));
});
afterAll(() => {
  if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, bytes: Uint8Array | string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return file;
}

/** The SolderError importing `file` throws; fails the test on success or on any other error. */
function importError(file: string): SolderError {
  try {
    importOnnx(file);
  } catch (e) {
    expect(e).toBeInstanceOf(SolderError);
    const err = e as SolderError;
    expect(err.message).toContain(file);
    expect(err.message).not.toContain('\n');
    return err;
  }
  throw new Error(`importing ${file} succeeded`);
}

describe('ONNX import errors', () => {
  it('a missing file', () => {
    expect(importError(path.join(dir, 'nope.onnx')).message).toMatch(/no such file/);
  });

  it('a folder', () => {
    fs.mkdirSync(path.join(dir, 'folder.onnx'));
    expect(importError(path.join(dir, 'folder.onnx')).message).toMatch(/folder/);
  });

  it('an empty file', () => {
    expect(importError(write('empty.onnx', '')).message).toMatch(/not an ONNX model.*empty/);
  });

  it('bytes that are not protobuf', () => {
    expect(importError(write('text.onnx', '{"this is": "json"}\n')).message).toMatch(/not an ONNX model/);
    expect(importError(write('ff.onnx', new Uint8Array(64).fill(0xff))).message).toMatch(/not an ONNX model/);
  });

  it('a truncated model', () => {
    const bytes = fs.readFileSync(example);
    const err = importError(write('truncated.onnx', bytes.subarray(0, Math.floor(bytes.byteLength / 2))));
    expect(err.message).toMatch(/not an ONNX model/);
  });

  it('opset 12, and opsets outside 13..23', () => {
    for (const version of [12, 24]) {
      const file = write(`opset${version}.onnx`, modelBytes({ opsets: [{ domain: '', version }] }));
      expect(importError(file).message).toMatch(new RegExp(`opset ${version} is not supported.*13 to 23`));
    }
  });

  it('accepts opsets 13 and 23, also spelled ai.onnx', () => {
    for (const [domain, version] of [['', 13], ['ai.onnx', 23]] as const) {
      const graph = importOnnx(write(`ok${version}.onnx`, modelBytes({ opsets: [{ domain, version }] })));
      expect(graph.meta.opsets).toEqual([{ domain, version }]);
      expect(graph.nodes.map((n) => n.op)).toEqual(['Relu']);
    }
  });

  it('an If node', () => {
    const branch = { name: 'then', node: [], output: [floatValue('x', [2])] };
    const ifNode = {
      name: 'branchy',
      opType: 'If',
      input: ['c'],
      output: ['y'],
      attribute: [
        { name: 'then_branch', type: 5, g: branch },
        { name: 'else_branch', type: 5, g: branch },
      ],
    };
    const file = write('if.onnx', modelBytes({ nodes: [ifNode], inputs: [{ ...floatValue('c', []), type: { tensorType: { elemType: 9, shape: { dim: [] } } } }] }));
    const err = importError(file);
    expect(err.message).toMatch(/node 'branchy' \(If\).*control flow/);
    expect(err.place).toEqual({ file, node: 'branchy', op: 'If' });
  });

  it('an unknown op, naming the others too', () => {
    const nodes = [
      { name: 'first', opType: 'FooBar', input: ['x'], output: ['t'] },
      { name: 'second', opType: 'Frob', domain: 'com.example', input: ['t'], output: ['y'] },
    ];
    const err = importError(write('unknown.onnx', modelBytes({ nodes })));
    expect(err.message).toMatch(/node 'first' \(FooBar\): unsupported op FooBar.*1 more.*com\.example::Frob/);
  });

  it('an external data location outside the model folder', () => {
    write('secret.bin', new Uint8Array(64));
    for (const location of ['../../etc/passwd', '/etc/passwd', '../secret.bin', 'sub/../../secret.bin']) {
      const file = write('nested/traversal.onnx', modelBytes({ initializers: [externalFloats('w', [2], location, 0)] }));
      expect(importError(file).message).toMatch(/initializer 'w'.*outside the model's folder/);
    }
  });

  it('external data past the end of its file, or a missing data file', () => {
    write('short.bin', new Uint8Array(16));
    const past = write('past.onnx', modelBytes({ initializers: [externalFloats('w', [4], 'short.bin', 8)] }));
    expect(importError(past).message).toMatch(/initializer 'w'.*holds 16 bytes.*8 to 24/);
    const missing = write('missing.onnx', modelBytes({ initializers: [externalFloats('w', [4], 'gone.bin', 0)] }));
    expect(importError(missing).message).toMatch(/initializer 'w'.*cannot open external data file gone\.bin/);
  });

  it('a tensor that claims more elements than it holds', () => {
    const huge = { name: 'w', dims: [1 << 20, 1 << 20], dataType: 1, rawData: new Uint8Array(8) };
    expect(importError(write('huge.onnx', modelBytes({ initializers: [huge] }))).message).toMatch(/tensor 'w' has 8 bytes of raw_data/);
    const typed = { name: 'w', dims: [3], dataType: 7, int64Data: [1, 2] };
    expect(importError(write('typed.onnx', modelBytes({ initializers: [typed] }))).message).toMatch(/holds 2 values, its shape needs 3/);
  });

  it('an attribute of the wrong shape names the node', () => {
    const nodes = [{ name: 'c', opType: 'Constant', output: ['y'], attribute: [{ name: 'value', type: 4 }] }];
    const err = importError(write('attr.onnx', modelBytes({ nodes, inputs: [] })));
    expect(err.message).toMatch(/node 'c' \(Constant\): attribute 'value' is a tensor but holds none/);
  });
});
