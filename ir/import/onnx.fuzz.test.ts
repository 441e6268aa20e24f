// Corrupted models: the importer either imports them or throws a SolderError, quickly.
// Mutations aim at the graph structure (nodes, types, tensor headers), not at the weight
// bytes that make up most of the file and decode whatever they hold.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SolderError } from '../errors.js';
import { encodeOnnx } from '../export/onnx.js';
import { importOnnxBytes } from './onnx.js';

const example = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/bert.sdpa.dynamo.onnx');
const model = new Uint8Array(fs.readFileSync(example));
const structural = structuralOffsets(model);
const SLOW_MS = 3000;

let baseDir = '';
beforeAll(() => {
  baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-onnx-fuzz-'));
});
afterAll(() => {
  if (baseDir !== '') fs.rmSync(baseDir, { recursive: true, force: true });
});

/** Imports, reads every initializer and re-encodes; returns what went wrong, if anything. */
function outcome(bytes: Uint8Array): 'ok' | 'SolderError' {
  const start = performance.now();
  try {
    const graph = importOnnxBytes(bytes, { file: 'fuzz.onnx', baseDir });
    for (const init of graph.initializers.values()) init.bytes.read();
    encodeOnnx(graph);
    return 'ok';
  } catch (e) {
    if (!(e instanceof SolderError)) throw e;
    expect(e.message).toContain('fuzz.onnx');
    return 'SolderError';
  } finally {
    expect(performance.now() - start).toBeLessThan(SLOW_MS);
  }
}

const position = fc.integer({ min: 0, max: structural.length - 1 }).map((i) => structural[i] as number);
const varint = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(encodeVarint);

describe('ONNX import of corrupted bytes', () => {
  it('imports the uncorrupted example', () => {
    expect(outcome(model)).toBe('ok');
  });

  it('byte flips', () => {
    const flips = fc.array(fc.tuple(position, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 });
    fc.assert(fc.property(flips, (edits) => {
      const bytes = model.slice();
      for (const [at, value] of edits) bytes[at] = value;
      outcome(bytes);
    }), { numRuns: 200 });
  });

  it('huge varints (lengths, dims, counts) written over the structure', () => {
    fc.assert(fc.property(position, varint, (at, v) => {
      const bytes = model.slice();
      bytes.set(v.subarray(0, bytes.byteLength - at), at);
      outcome(bytes);
    }), { numRuns: 200 });
  });

  it('truncation anywhere', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: model.byteLength - 1 }), (length) => {
      outcome(model.subarray(0, length));
    }), { numRuns: 100 });
  });

  it('splices of one part of the file into another', () => {
    const splice = fc.tuple(position, position, fc.integer({ min: 1, max: 512 }), fc.boolean());
    fc.assert(fc.property(splice, ([from, to, length, insert]) => {
      const chunk = model.subarray(from, from + length);
      const bytes = insert
        ? concat([model.subarray(0, to), chunk, model.subarray(to)])
        : concat([model.subarray(0, to), chunk, model.subarray(Math.min(model.byteLength, to + chunk.byteLength))]);
      outcome(bytes);
    }), { numRuns: 150 });
  });
});

// Offsets of every byte outside initializer payloads: the model header, the graph's
// nodes, values and metadata, and the first bytes (name, dims, type) of each initializer.
function structuralOffsets(bytes: Uint8Array): number[] {
  const out: number[] = [];
  const model = protobuf.Reader.create(bytes);
  while (model.pos < model.len) {
    const start = model.pos;
    const tag = model.uint32();
    if (tag >>> 3 !== 7) {
      model.skipType(tag & 7);
      for (let i = start; i < model.pos; i++) out.push(i);
      continue;
    }
    const length = model.uint32();
    for (let i = start; i < model.pos; i++) out.push(i);
    const graph = protobuf.Reader.create(bytes.subarray(0, model.pos + length));
    graph.pos = model.pos;
    while (graph.pos < graph.len) {
      const fieldStart = graph.pos;
      const fieldTag = graph.uint32();
      graph.skipType(fieldTag & 7);
      const end = fieldTag >>> 3 === 5 ? Math.min(graph.pos, fieldStart + 48) : graph.pos;
      for (let i = fieldStart; i < end; i++) out.push(i);
    }
    model.pos = graph.pos;
  }
  return out;
}

function encodeVarint(v: bigint): Uint8Array {
  const out: number[] = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  return new Uint8Array(out);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
