// What the ONNX importer makes of each part of a model: tensors, attributes, dims, names, metadata.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { externalFloats, floatValue, modelBytes } from '../../test/onnx-fixtures.js';
import { dimAdd, dimMul, sym } from '../dim.js';
import { importOnnx, importOnnxBytes } from './onnx.js';

const example = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/bert.sdpa.dynamo.onnx');
const fromBytes = (bytes: Uint8Array) => importOnnxBytes(bytes, { file: 'mem.onnx' });

let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'solder-onnx-'));
});
afterAll(() => {
  if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
});

function littleEndian(size: number, n: number, set: (v: DataView, at: number, i: number) => void): Uint8Array {
  const out = new Uint8Array(size * n);
  const view = new DataView(out.buffer);
  for (let i = 0; i < n; i++) set(view, i * size, i);
  return out;
}

describe('ONNX initializers', () => {
  it('converts typed fields to little-endian bytes, int64 beyond 2^53 exactly', () => {
    const big = 2n ** 62n + 1n;
    const graph = fromBytes(modelBytes({
      initializers: [
        { name: 'f32', dims: [2], dataType: 1, floatData: [1.5, -2] },
        { name: 'f64', dims: [2], dataType: 11, doubleData: [0.1, -3] },
        { name: 'i64', dims: [2], dataType: 7, int64Data: [-5, big.toString()] },
        { name: 'i8', dims: [2], dataType: 3, int32Data: [-3, 4] },
        { name: 'b', dims: [3], dataType: 9, int32Data: [0, 1, 5] },
        { name: 'f16', dims: [1], dataType: 10, int32Data: [0x3c00] },
        { name: 'u32', dims: [1], dataType: 12, uint64Data: [4000000000] },
      ],
    }));
    const bytes = (name: string) => graph.initializers.get(name)?.bytes.read();
    expect(bytes('f32')).toEqual(littleEndian(4, 2, (v, at, i) => v.setFloat32(at, [1.5, -2][i] as number, true)));
    expect(bytes('f64')).toEqual(littleEndian(8, 2, (v, at, i) => v.setFloat64(at, [0.1, -3][i] as number, true)));
    expect(bytes('i64')).toEqual(littleEndian(8, 2, (v, at, i) => v.setBigInt64(at, [-5n, big][i] as bigint, true)));
    expect(bytes('i8')).toEqual(new Uint8Array([0xfd, 4]));
    expect(bytes('b')).toEqual(new Uint8Array([0, 1, 1]));
    expect(bytes('f16')).toEqual(new Uint8Array([0x00, 0x3c]));
    expect(bytes('u32')).toEqual(littleEndian(4, 1, (v, at) => v.setUint32(at, 4000000000, true)));
    expect(graph.initializers.get('i64')?.shape).toEqual([2]);
  });

  it('keeps inline raw_data as a view of the model bytes', () => {
    const raw = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const bytes = modelBytes({ initializers: [{ name: 'w', dims: [2], dataType: 1, rawData: raw }] });
    const init = fromBytes(bytes).initializers.get('w');
    expect(init?.bytes.read()).toEqual(raw);
    expect(init?.bytes.read().buffer).toBe(bytes.buffer);
    expect(init?.origin).toEqual({ kind: 'inline' });
  });

  it('reads external data only when asked, at its offset', () => {
    const data = new Float32Array([9, 9, 1, 2, 3, 4]);
    fs.writeFileSync(path.join(dir, 'w.bin'), new Uint8Array(data.buffer));
    const file = path.join(dir, 'ext.onnx');
    fs.writeFileSync(file, modelBytes({ initializers: [externalFloats('w', [2, 2], 'w.bin', 8)] }));
    const init = importOnnx(file).initializers.get('w');
    expect(init?.origin).toEqual({ kind: 'external', location: 'w.bin' });
    expect(init?.bytes.byteLength).toBe(16);
    // Changed after import: the bytes read are the file's bytes at read() time.
    data.set([5, 6, 7, 8], 2);
    fs.writeFileSync(path.join(dir, 'w.bin'), new Uint8Array(data.buffer));
    expect(new Float32Array(init?.bytes.read().slice().buffer ?? new ArrayBuffer(0))).toEqual(new Float32Array([5, 6, 7, 8]));
  });

  it('leaves graph inputs that are initializers out of the inputs', () => {
    const w = { name: 'w', dims: [2], dataType: 1, floatData: [1, 2] };
    const nodes = [{ name: 'add', opType: 'Add', input: ['x', 'w'], output: ['y'] }];
    const graph = fromBytes(modelBytes({ nodes, initializers: [w], inputs: [floatValue('x', [2]), floatValue('w', [2])] }));
    expect(graph.inputs.map((i) => i.name)).toEqual(['x']);
    expect([...graph.initializers.keys()]).toEqual(['w']);
  });
});

describe('ONNX nodes', () => {
  it('keeps Constant nodes, with their value attributes decoded', () => {
    const int64Max = '9223372036854775807';
    const nodes = [
      { name: 'c', opType: 'Constant', output: ['c0'], attribute: [{ name: 'value', type: 4, t: { dims: [2], dataType: 7, int64Data: [int64Max, '-3'] } }] },
      { name: 'f', opType: 'Constant', output: ['c1'], attribute: [{ name: 'value_floats', type: 6, floats: [0.5, 2] }] },
      { name: 'relu', opType: 'Relu', input: ['x'], output: ['y'] },
    ];
    const graph = fromBytes(modelBytes({ nodes }));
    expect(graph.nodes.map((n) => n.op)).toEqual(['Constant', 'Constant', 'Relu']);
    const value = graph.nodes[0]?.attrs.value;
    expect(value?.kind).toBe('tensor');
    if (value?.kind !== 'tensor') return;
    expect(value.value.dtype).toBe('int64');
    expect(value.value.shape).toEqual([2]);
    expect([...value.value.data]).toEqual([Number(BigInt(int64Max)), -3]);
    expect(graph.nodes[1]?.attrs.value_floats).toEqual({ kind: 'floats', value: [0.5, 2] });
  });

  it('names unnamed nodes `${op}_${index}`, unique among the given names', () => {
    const nodes = [
      { opType: 'Relu', input: ['x'], output: ['a'] },
      { opType: 'Relu', input: ['a'], output: ['b'] },
      { name: 'Relu_1', opType: 'Relu', input: ['b'], output: ['y'] },
    ];
    expect(fromBytes(modelBytes({ nodes })).nodes.map((n) => n.name)).toEqual(['Relu_0', 'Relu_1_1', 'Relu_1']);
  });

  it('keeps node, value and graph metadata_props that the ONNX 1.10 schema lacks', () => {
    const graph = importOnnx(example);
    expect(graph.nodes.length).toBeGreaterThan(0);
    for (const node of graph.nodes) expect(node.metadata?.['pkg.torch.onnx.fx_node'], node.name).toMatch(/call_function|placeholder|get_attr/);
    expect(Object.keys(graph.meta.graphMetadata ?? {})).toContain('pkg.torch.export.ExportedProgram.range_constraints');
    for (const input of graph.inputs) expect(input.metadata?.['pkg.torch.onnx.original_node_name']).toBe(input.name);
    expect(graph.valueMetadata?.size).toBeGreaterThan(0);
  });
});

describe('ONNX dims', () => {
  it('reads dim_params as symbolic arithmetic and gives unnamed dims fresh symbols', () => {
    const inputs = [floatValue('x', ['batch', 'batch*seq', 's0 + 1', '2*s0', 4, null, null, 'anon0', 's0 // 2'])];
    const nodes = [{ name: 'relu', opType: 'Relu', input: ['x'], output: ['y'] }];
    const shape = fromBytes(modelBytes({ inputs, nodes })).inputs[0]?.type.shape;
    expect(shape).toEqual([
      sym('batch'),
      dimMul(sym('batch'), sym('seq')),
      dimAdd(sym('s0'), 1),
      dimMul(sym('s0'), 2),
      4,
      sym('anon1'),
      sym('anon2'),
      sym('anon0'),
      sym('s0 // 2'),
    ]);
  });
});
