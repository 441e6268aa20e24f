// Imports a torch.export archive (.pt2, from torch.export.save): the serialized FX graph of
// aten ops in models/model.json, lowered onto default-domain ONNX ops (opset 23), with the
// parameters, buffers and constants as initializers read lazily from the zip.
import { SolderError } from '../errors.js';
import type { Graph, Node, ValueInfo } from '../graph.js';
import type { TensorType } from '../types.js';
import { GraphBuilder } from './pt2/builder.js';
import { lowerNodes } from './pt2/convert.js';
import type { ExportedProgram, PayloadConfig } from './pt2/schema.js';
import { Scope } from './pt2/scope.js';
import { bindInputs, outputFieldNames, userOutputs } from './pt2/signature.js';
import { type ZipArchive, openZip } from './pt2/zip.js';

const MODEL_JSON = 'models/model.json';
const ONNX_OPSET = 23;

/** Reads a .pt2 archive into a graph of ONNX ops. */
export function importPt2(file: string): Graph {
  try {
    const archive = openZip(file);
    const prefix = modelPrefix(archive);
    const program = readJson<ExportedProgram>(archive, `${prefix}${MODEL_JSON}`);
    checkProgram(program);
    const sources = {
      archive,
      weights: readConfig(archive, `${prefix}data/weights/model_weights_config.json`),
      weightsDir: `${prefix}data/weights/`,
      constants: readConfig(archive, `${prefix}data/constants/model_constants_config.json`),
      constantsDir: `${prefix}data/constants/`,
    };
    const b = new GraphBuilder(file);
    const scope = new Scope(program.graph_module.graph);
    const inputs = bindInputs(b, scope, program, sources);
    lowerNodes(b, scope, program.graph_module.graph);
    const outputs = bindOutputs(b, scope, program);
    return assemble(b, prefix, inputs, outputs, program);
  } catch (e) {
    throw e instanceof SolderError ? e.inFile(file) : e;
  }
}

/** The folder inside the zip that holds models/model.json ('bert.sdpa/' or ''). */
function modelPrefix(archive: ZipArchive): string {
  const candidates = [...archive.entries.keys()].filter((name) => name === MODEL_JSON || name.endsWith(`/${MODEL_JSON}`));
  if (candidates.length === 0) {
    throw new SolderError(`no ${MODEL_JSON} in the archive; is it a torch.export.save archive (torch 2.6 or later)?`);
  }
  candidates.sort((a, b) => a.length - b.length);
  return (candidates[0] as string).slice(0, -MODEL_JSON.length);
}

function readJson<T>(archive: ZipArchive, entry: string): T {
  const text = new TextDecoder().decode(archive.read(entry));
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new SolderError(`'${entry}' is not valid JSON (${(e as Error).message})`);
  }
}

function readConfig(archive: ZipArchive, entry: string): PayloadConfig {
  if (!archive.entries.has(entry)) return { config: {} };
  const config = readJson<PayloadConfig>(archive, entry);
  if (typeof config?.config !== 'object' || config.config === null) throw new SolderError(`'${entry}' has no "config" object`);
  return config;
}

function checkProgram(p: ExportedProgram): void {
  const g = p?.graph_module?.graph;
  const s = p?.graph_module?.signature;
  if (!Array.isArray(g?.nodes) || !Array.isArray(g?.inputs) || typeof g?.tensor_values !== 'object' || !Array.isArray(s?.input_specs) || !Array.isArray(s?.output_specs)) {
    throw new SolderError(`${MODEL_JSON} is not a serialized ExportedProgram (graph_module.graph or its signature is missing)`);
  }
  const major = p.schema_version?.major;
  if (major !== undefined && major < 5) throw new SolderError(`${MODEL_JSON} uses export schema ${major}, older than solder reads (5 or later)`);
}

/**
 * The user outputs, in order, named after the model's output fields when it has them. An
 * output that is a graph input or initializer, or repeats an earlier output, gets an Identity.
 */
function bindOutputs(b: GraphBuilder, scope: Scope, program: ExportedProgram): ValueInfo[] {
  const fxNames = userOutputs(b, program);
  const fields = outputFieldNames(program, fxNames.length);
  const produced = new Set(b.nodes.flatMap((n) => n.outputs));
  const used = new Set<string>();
  const renames = new Map<string, string>();
  const outputs = fxNames.map((fx, i) => {
    const value = scope.lookup(fx);
    const type = scope.tensorType(fx);
    if (value === undefined || type === undefined) throw new SolderError(`output '${fx}' is never computed`, { node: fx });
    const wanted = fields?.[i] ?? value;
    if (produced.has(value) && !used.has(value) && !renames.has(value)) {
      used.add(value);
      const name = wanted === value ? value : b.freshValue(wanted);
      if (name !== value) renames.set(value, name);
      return { name, type };
    }
    const name = b.freshValue(wanted === value ? `${value}_output${i}` : wanted);
    b.addNode(`${name}/identity`, 'Identity', [renames.get(value) ?? value], [name]);
    return { name, type };
  });
  renameValues(b, renames);
  return outputs;
}

function renameValues(b: GraphBuilder, renames: ReadonlyMap<string, string>): void {
  if (renames.size === 0) return;
  const r = (v: string) => renames.get(v) ?? v;
  b.nodes.forEach((n, i) => {
    b.nodes[i] = { ...n, inputs: n.inputs.map(r), outputs: n.outputs.map(r) } satisfies Node;
  });
  for (const [from, to] of renames) {
    const t = b.declared.get(from);
    if (t === undefined) continue;
    b.declared.delete(from);
    b.declared.set(to, t);
  }
}

function assemble(b: GraphBuilder, prefix: string, inputs: ValueInfo[], outputs: ValueInfo[], program: ExportedProgram): Graph {
  const boundary = new Set([...inputs, ...outputs].map((v) => v.name));
  const valueInfo = new Map<string, TensorType>();
  for (const [name, t] of b.declared) if (!boundary.has(name) && !b.initializers.has(name)) valueInfo.set(name, t);
  const torchVersion = (program as { torch_version?: unknown }).torch_version;
  return {
    name: prefix.replace(/\/$/, '') || 'main',
    inputs,
    outputs,
    nodes: b.nodes,
    initializers: b.initializers,
    valueInfo,
    meta: {
      irVersion: 11,
      opsets: [{ domain: '', version: ONNX_OPSET }],
      producerName: 'pytorch',
      ...(typeof torchVersion === 'string' ? { producerVersion: torchVersion } : {}),
      metadata: {},
      source: 'pt2',
    },
  };
}
