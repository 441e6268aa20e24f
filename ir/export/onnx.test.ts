// What the ONNX exporter writes: opsets, dims, external data layout, atomic files.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelBytes } from '../../test/onnx-fixtures.js';
import { dimAdd, dimMul, sym } from '../dim.js';
import { SolderError } from '../errors.js';
import { type Graph, type Initializer, SOLDER_DOMAIN, initializerFromTensor } from '../graph.js';
import { onnx } from '../import/onnx-proto.js';
import { importOnnx, importOnnxBytes } from '../import/onnx.js';
import { makeTensor } from '../tensor.js';
import { encodeOnnx, exportOnnx } from './onnx.js';

let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-onnx-out-'));
});
afterAll(() => {
  if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
});

const base = (): Graph => importOnnxBytes(modelBytes(), { file: 'base.onnx' });
const decode = (bytes: Uint8Array) => onnx.ModelProto.decode(bytes);
const floats = (name: string, n: number): Initializer =>
  initializerFromTensor(name, makeTensor('float32', [n], Array.from({ length: n }, (_, i) => i * 0.25 - 3)));

describe('ONNX export', () => {
  it('writes an opset import for the solder domain when solder ops are present', () => {
    const g = base();
    const fused: Graph = { ...g, nodes: [{ ...(g.nodes[0] as Graph['nodes'][number]), op: 'Gelu', domain: SOLDER_DOMAIN }] };
    const opsets = decode(encodeOnnx(fused)).opsetImport.map((o) => [o.domain, Number(o.version)]);
    expect(opsets).toEqual([['', 17], ['solder', 1]]);
    expect(decode(encodeOnnx(g)).opsetImport.map((o) => o.domain)).toEqual(['']);
  });

  it('writes symbolic dims as dim_param expressions that import back to the same dims', () => {
    const shape = [sym('batch'), dimMul(sym('batch'), sym('seq')), dimAdd(sym('s0'), 1), 8];
    const g = base();
    const graph: Graph = { ...g, inputs: [{ name: 'x', type: { dtype: 'float32', shape } }] };
    const bytes = encodeOnnx(graph);
    const dims = decode(bytes).graph?.input?.[0]?.type?.tensorType?.shape?.dim ?? [];
    expect(dims.map((d) => d.dimParam || Number(d.dimValue))).toEqual(['batch', 'batch*seq', 's0 + 1', 8]);
    expect(importOnnxBytes(bytes, { file: 'm.onnx' }).inputs[0]?.type.shape).toEqual(shape);
  });

  it('puts initializers over the threshold in one page-aligned external data file', () => {
    const inits = [floats('small', 256), floats('big1', 257), floats('big2', 300), floats('tiny', 3)];
    const graph: Graph = { ...base(), initializers: new Map(inits.map((i) => [i.name, i])) };
    const out = path.join(dir, 'ext.onnx');
    exportOnnx(graph, out);
    const proto = decode(fs.readFileSync(out));
    const placement = proto.graph?.initializer?.map((t) => [t.name, t.dataLocation, Object.fromEntries((t.externalData ?? []).map((e) => [e.key, e.value]))]);
    expect(placement).toEqual([
      ['small', 0, {}],
      ['big1', 1, { location: 'ext.onnx.data', offset: '0', length: '1028' }],
      ['big2', 1, { location: 'ext.onnx.data', offset: '4096', length: '1200' }],
      ['tiny', 0, {}],
    ]);
    expect(fs.statSync(`${out}.data`).size).toBe(4096 + 1200);
    const again = importOnnx(out);
    for (const init of inits) expect(again.initializers.get(init.name)?.bytes.read()).toEqual(init.bytes.read());
  });

  it('writes int64 constants of 2^63 (INT64_MAX read as float64) as INT64_MAX, not INT64_MIN', () => {
    const g = base();
    const value = makeTensor('int64', [2], [2 ** 63, -(2 ** 63)]);
    const constant = { name: 'c', op: 'Constant', domain: '', inputs: [], outputs: ['c'], attrs: { value: { kind: 'tensor' as const, value } } };
    const raw = decode(encodeOnnx({ ...g, nodes: [constant, ...g.nodes] })).graph?.node?.[0]?.attribute?.[0]?.t?.rawData ?? new Uint8Array(0);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    expect([view.getBigInt64(0, true), view.getBigInt64(8, true)]).toEqual([2n ** 63n - 1n, -(2n ** 63n)]);
  });

  it('leaves no file behind when writing fails, and keeps an older file intact', () => {
    const out = path.join(dir, 'atomic', 'model.onnx');
    fs.mkdirSync(path.dirname(out));
    fs.writeFileSync(out, 'old model');
    const g = base();
    const unwritable: Graph = {
      ...g,
      initializers: new Map([['big', floats('big', 1000)]]),
      nodes: [{ ...(g.nodes[0] as Graph['nodes'][number]), attrs: { body: { kind: 'graph', value: g } } }],
    };
    let error: unknown;
    try {
      exportOnnx(unwritable, out);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SolderError);
    expect((error as Error).message).toMatch(/model\.onnx: node 'relu' \(Relu\): cannot write graph attribute 'body'/);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['model.onnx']);
    expect(fs.readFileSync(out, 'utf8')).toBe('old model');
  });

  it('reports a folder that cannot be written as a SolderError naming the file', () => {
    const out = path.join(dir, 'no', 'such', 'folder', 'model.onnx');
    expect(() => exportOnnx(base(), out)).toThrow(SolderError);
    expect(() => exportOnnx(base(), out)).toThrow(/no\/such\/folder\/model\.onnx: cannot write ONNX model \(ENOENT\)/);
  });

  it('keeps value types, doc strings and metadata through encode and import', () => {
    const g = base();
    const graph: Graph = {
      ...g,
      outputs: [{ name: 'y', type: { dtype: 'float32', shape: [2] }, docString: 'the result', metadata: { kind: 'USER_OUTPUT' } }],
      valueInfo: new Map([['y', { dtype: 'float32', shape: [2] }]]),
      valueMetadata: new Map([['y', { folded_from: 'a,b' }]]),
      meta: { ...g.meta, docString: 'doc', graphMetadata: { sig: 'x -> y' }, metadata: { a: '1' }, modelVersion: 3 },
    };
    const again = importOnnxBytes(encodeOnnx(graph), { file: 'm.onnx' });
    expect(again.outputs).toEqual(graph.outputs);
    expect(again.valueMetadata).toEqual(graph.valueMetadata);
    expect(again.meta).toEqual(graph.meta);
  });

  it('keeps node metadata through encode and import, ASCII or not', () => {
    const g = base();
    // Long ASCII strings are read as slices of one decoding, the rest one by one: both must read back exactly.
    const texts = ['', 'x', 'File "model.py", line 12, in forward\n    return self.mlp(x)', 'naïve → π ✓ 😀 in a stack trace', 'é', 'a'.repeat(5000)];
    const relu = g.nodes[0]!;
    const last = texts.length - 1;
    const nodes = texts.map((text, i) => ({
      ...relu,
      name: `relu${i}`,
      inputs: [i === 0 ? 'x' : `t${i - 1}`],
      outputs: [i === last ? 'y' : `t${i}`],
      metadata: { trace: text, [`clé_${i}`]: texts[(i + 3) % texts.length]!, plain: `node ${i}` },
    }));
    const graph: Graph = { ...g, nodes };
    const again = importOnnxBytes(encodeOnnx(graph), { file: 'm.onnx' });
    expect(again.nodes.map((n) => n.metadata)).toEqual(nodes.map((n) => n.metadata));
  });
});
