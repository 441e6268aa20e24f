// Hand-built torch.export archives for importer tests: a zip writer (stored or deflated
// entries) and a small builder of models/model.json that names only what a test is about.
import { afterAll } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { DType } from '../ir/dtype.js';
import { makeTensor, tensorToBytes } from '../ir/tensor.js';

export interface ZipItem {
  readonly name: string;
  readonly data: Uint8Array;
  readonly deflate?: boolean;
}

/** A zip file (no zip64) holding the items in order. */
export function zipBytes(items: readonly ZipItem[]): Uint8Array {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const item of items) {
    const name = Buffer.from(item.name, 'utf8');
    const body = item.deflate ? zlib.deflateRawSync(item.data) : Buffer.from(item.data);
    const crc = zlib.crc32(item.data);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(0x800, 6);
    header.writeUInt16LE(item.deflate ? 8 : 0, 8);
    header.writeUInt32LE(crc, 14);
    header.writeUInt32LE(body.length, 18);
    header.writeUInt32LE(item.data.byteLength, 22);
    header.writeUInt16LE(name.length, 26);
    locals.push(header, name, body);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x800, 8);
    entry.writeUInt16LE(item.deflate ? 8 : 0, 10);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(body.length, 20);
    entry.writeUInt32LE(item.data.byteLength, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, name);
    offset += 30 + name.length + body.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(items.length, 8);
  end.writeUInt16LE(items.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}

const SCALAR_TYPE: Readonly<Partial<Record<DType, number>>> = {
  uint8: 1, int8: 2, int16: 3, int32: 4, int64: 5, float16: 6, float32: 7, float64: 8, bool: 12, bfloat16: 13,
};

export type Size = number | string;

function sym(s: Size): object {
  return typeof s === 'number' ? { as_int: s } : { as_expr: { expr_str: s } };
}

function rowMajorStrides(shape: readonly number[]): number[] {
  const out: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = acc;
    acc *= shape[i] as number;
  }
  return out;
}

export function tensorMeta(dtype: DType, shape: readonly Size[], strides?: readonly number[], offset = 0): object {
  const known = shape.every((d): d is number => typeof d === 'number');
  return {
    dtype: SCALAR_TYPE[dtype],
    sizes: shape.map(sym),
    strides: (strides ?? (known ? rowMajorStrides(shape) : shape.map(() => 1))).map(sym),
    storage_offset: { as_int: offset },
    requires_grad: false,
    device: { type: 'cpu', index: null },
    layout: 7,
  };
}

/** Argument constructors, as torch.export writes them. */
export const arg = {
  t: (name: string) => ({ as_tensor: { name } }),
  ts: (...names: string[]) => ({ as_tensors: names.map((name) => ({ name })) }),
  optTs: (...names: (string | null)[]) => ({ as_optional_tensors: names.map((n) => (n === null ? { as_none: true } : { as_tensor: { name: n } })) }),
  i: (v: number) => ({ as_int: v }),
  is: (v: number[]) => ({ as_ints: v }),
  f: (v: number) => ({ as_float: v }),
  b: (v: boolean) => ({ as_bool: v }),
  s: (v: string) => ({ as_string: v }),
  none: () => ({ as_none: true }),
  dtype: (d: DType) => ({ as_scalar_type: SCALAR_TYPE[d] }),
  symInt: (name: string) => ({ as_sym_int: { as_name: name } }),
  symInts: (...v: (number | string)[]) => ({ as_sym_ints: v.map((x) => (typeof x === 'number' ? { as_int: x } : { as_name: x })) }),
};

export interface FxNode {
  readonly target: string;
  readonly name: string;
  readonly args: Readonly<Record<string, object>>;
  /** Output arguments; a string is one tensor of that name. */
  readonly outputs: readonly (string | object)[];
}

export interface Param {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Storage contents, row-major unless strides are given. */
  readonly values: readonly number[];
  readonly strides?: readonly number[];
  readonly offset?: number;
}

export interface Pt2Spec {
  readonly inputs: readonly { name: string; dtype: DType; shape: readonly Size[] }[];
  readonly params?: readonly Param[];
  readonly nodes: readonly FxNode[];
  /** Types of every node output, by name. */
  readonly values: Readonly<Record<string, { dtype: DType; shape: readonly Size[] }>>;
  readonly outputs: readonly string[];
  readonly symInts?: Readonly<Record<string, Size>>;
  readonly deflate?: boolean;
  /** Replace archive entries (name relative to the model folder) to build broken archives. */
  readonly tamper?: (items: ZipItem[]) => ZipItem[];
}

export function fxNode(target: string, name: string, args: Record<string, object>, outputs: (string | object)[] = [name]): FxNode {
  return { target: target.includes('.') && !target.startsWith('_operator') ? `torch.ops.${target}` : target, name, args, outputs };
}

/** The model.json of a spec: placeholders for parameters (p_NAME) then user inputs. */
export function programJson(spec: Pt2Spec): object {
  const params = spec.params ?? [];
  const tensorValues: Record<string, object> = {};
  for (const p of params) tensorValues[placeholder(p.name)] = tensorMeta(p.dtype, p.shape);
  for (const i of spec.inputs) tensorValues[i.name] = tensorMeta(i.dtype, i.shape);
  for (const [name, v] of Object.entries(spec.values)) tensorValues[name] = tensorMeta(v.dtype, v.shape);
  const graph = {
    inputs: [...params.map((p) => arg.t(placeholder(p.name))), ...spec.inputs.map((i) => arg.t(i.name))],
    outputs: spec.outputs.map((o) => arg.t(o)),
    nodes: spec.nodes.map((n) => ({
      target: n.target,
      name: n.name,
      inputs: Object.entries(n.args).map(([name, a]) => ({ name, arg: a, kind: 1 })),
      outputs: n.outputs.map((o) => (typeof o === 'string' ? arg.t(o) : o)),
      metadata: {},
    })),
    tensor_values: tensorValues,
    sym_int_values: Object.fromEntries(Object.entries(spec.symInts ?? {}).map(([k, v]) => [k, sym(v)])),
    sym_bool_values: {},
  };
  return {
    graph_module: {
      graph,
      signature: {
        input_specs: [
          ...params.map((p) => ({ parameter: { arg: { name: placeholder(p.name) }, parameter_name: p.name } })),
          ...spec.inputs.map((i) => ({ user_input: { arg: arg.t(i.name) } })),
        ],
        output_specs: spec.outputs.map((o) => ({ user_output: { arg: arg.t(o) } })),
      },
      module_call_graph: [],
    },
    opset_version: { aten: 10 },
    range_constraints: {},
    schema_version: { major: 8, minor: 17 },
  };
}

export function placeholder(param: string): string {
  return `p_${param.replace(/\./g, '_')}`;
}

/** The archive entries of a spec, under the folder `model/`. */
export function archiveItems(spec: Pt2Spec): ZipItem[] {
  const params = spec.params ?? [];
  const config: Record<string, object> = {};
  const items: ZipItem[] = [];
  params.forEach((p, i) => {
    const path_name = `weight_${i}`;
    config[p.name] = { path_name, is_param: true, use_pickle: false, tensor_meta: tensorMeta(p.dtype, p.shape, p.strides, p.offset ?? 0) };
    const storage = makeTensor(p.dtype, [p.values.length], p.values);
    items.push({ name: `model/data/weights/${path_name}`, data: tensorToBytes(storage), deflate: spec.deflate });
  });
  const json = (v: object) => new TextEncoder().encode(JSON.stringify(v));
  items.push({ name: 'model/data/weights/model_weights_config.json', data: json({ config }), deflate: spec.deflate });
  items.push({ name: 'model/models/model.json', data: json(programJson(spec)), deflate: spec.deflate });
  items.push({ name: 'model/archive_format', data: json({}) });
  return spec.tamper === undefined ? items : spec.tamper(items);
}

/** Writes the spec's archive to a new temporary .pt2 file and returns its path. */
export function writePt2(spec: Pt2Spec): string {
  return writeFile(zipBytes(archiveItems(spec)));
}

// One temporary folder per test file, removed after the file's tests.
let tempRoot: string | undefined;
afterAll(() => {
  if (tempRoot !== undefined) fs.rmSync(tempRoot, { recursive: true, force: true });
  tempRoot = undefined;
});

function tempDir(): string {
  tempRoot ??= fs.mkdtempSync(path.join(os.tmpdir(), 'solder-pt2-'));
  return fs.mkdtempSync(path.join(tempRoot, 'archive-'));
}

export function writeFile(bytes: Uint8Array, suffix = '.pt2'): string {
  const dir = tempDir();
  const file = path.join(dir, `model${suffix}`);
  fs.writeFileSync(file, bytes);
  return file;
}
