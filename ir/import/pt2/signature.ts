// The program's signature: which graph placeholders are parameters, buffers and constants
// (initializers read lazily from the archive) and which are user inputs (graph inputs), and
// which graph results are the user outputs, in order.
import { SolderError } from '../../errors.js';
import type { ValueInfo } from '../../graph.js';
import { tensorType } from '../../types.js';
import type { GraphBuilder } from './builder.js';
import type { ExportedProgram, PayloadConfig } from './schema.js';
import type { Scope } from './scope.js';
import { payloadInitializer } from './weights.js';
import type { ZipArchive } from './zip.js';

/** Where the payloads of one model live inside the archive. */
export interface PayloadSources {
  readonly archive: ZipArchive;
  readonly weights: PayloadConfig;
  readonly weightsDir: string;
  readonly constants: PayloadConfig;
  readonly constantsDir: string;
}

/** Binds every placeholder; returns the graph inputs (the user inputs, in order). */
export function bindInputs(b: GraphBuilder, scope: Scope, program: ExportedProgram, sources: PayloadSources): ValueInfo[] {
  const { graph, signature } = program.graph_module;
  const placeholders = graph.inputs;
  if (placeholders.length !== signature.input_specs.length) {
    throw new SolderError(`the graph has ${placeholders.length} inputs but its signature lists ${signature.input_specs.length}`, { file: b.file });
  }
  const inputs: ValueInfo[] = [];
  signature.input_specs.forEach((spec) => {
    if (spec.parameter !== undefined) {
      bindPayload(b, scope, sources, 'weights', spec.parameter.arg.name, spec.parameter.parameter_name);
    } else if (spec.buffer !== undefined) {
      bindPayload(b, scope, sources, 'auto', spec.buffer.arg.name, spec.buffer.buffer_name);
    } else if (spec.tensor_constant !== undefined) {
      bindPayload(b, scope, sources, 'constants', spec.tensor_constant.arg.name, spec.tensor_constant.tensor_constant_name);
    } else if (spec.constant_input !== undefined) {
      bindConstantInput(b, scope, spec.constant_input.name, spec.constant_input.value);
    } else if (spec.user_input !== undefined) {
      inputs.push(bindUserInput(b, scope, spec.user_input.arg));
    } else {
      throw new SolderError(`unsupported graph input kind '${Object.keys(spec).join(', ')}' (custom objects and effect tokens)`, { file: b.file });
    }
  });
  return inputs;
}

// Buffers are saved with the weights when persistent and with the constants otherwise.
function bindPayload(b: GraphBuilder, scope: Scope, s: PayloadSources, where: 'weights' | 'constants' | 'auto', placeholder: string, fqn: string): void {
  const inWeights = s.weights.config[fqn];
  const inConstants = s.constants.config[fqn];
  const fromWeights = where === 'weights' || (where === 'auto' && inWeights !== undefined);
  const meta = fromWeights ? inWeights : inConstants;
  if (meta === undefined) {
    const config = fromWeights ? `${s.weightsDir}model_weights_config.json` : `${s.constantsDir}model_constants_config.json`;
    throw new SolderError(`'${fqn}' is not described in ${config}`, { file: b.file, node: placeholder });
  }
  const dir = fromWeights ? s.weightsDir : s.constantsDir;
  const name = b.freshValue(fqn);
  b.addInitializer(payloadInitializer(s.archive, { entry: `${dir}${meta.path_name}`, name, placeholder }, meta));
  scope.bind(placeholder, name);
}

function bindConstantInput(b: GraphBuilder, scope: Scope, name: string, value: Readonly<Record<string, unknown>>): void {
  const v = value.as_int ?? value.as_float ?? value.as_bool;
  if (typeof v !== 'number' && typeof v !== 'boolean') {
    throw new SolderError(`constant input '${name}' is not a number`, { file: b.file, node: name });
  }
  const dtype = value.as_float !== undefined ? 'float32' : value.as_bool !== undefined ? 'bool' : 'int64';
  scope.bind(name, b.constant(name, dtype, [], [Number(v)]));
}

function bindUserInput(b: GraphBuilder, scope: Scope, arg: ExportedProgram['graph_module']['graph']['inputs'][number]): ValueInfo {
  if (arg.as_tensor !== undefined) {
    const fx = arg.as_tensor.name;
    const type = scope.tensorType(fx);
    if (type === undefined) throw new SolderError(`input '${fx}' has no recorded type`, { file: b.file, node: fx });
    const name = b.freshValue(fx);
    b.setType(name, type);
    scope.bind(fx, name);
    return { name, type };
  }
  if (arg.as_sym_int !== undefined && 'as_name' in arg.as_sym_int) {
    const fx = arg.as_sym_int.as_name;
    const name = b.freshValue(fx);
    const type = tensorType('int64', []);
    b.setType(name, type);
    scope.bind(fx, name);
    return { name, type };
  }
  throw new SolderError(`unsupported user input ${JSON.stringify(arg)} (only tensors and sizes)`, { file: b.file });
}

/** The FX names of the user outputs, in order. */
export function userOutputs(b: GraphBuilder, program: ExportedProgram): string[] {
  return program.graph_module.signature.output_specs.flatMap((spec) => {
    if (spec.user_output === undefined) return [];
    const name = spec.user_output.arg.as_tensor?.name;
    if (name === undefined) {
      throw new SolderError(`output ${JSON.stringify(spec.user_output.arg)} is not a tensor; solder imports tensor outputs only`, { file: b.file });
    }
    return [name];
  });
}

/**
 * The names the model gives its outputs (a ModelOutput's fields, a dict's keys), when its
 * output spec is one flat container of as many tensors; undefined otherwise.
 */
export function outputFieldNames(program: ExportedProgram, count: number): string[] | undefined {
  const root = program.graph_module.module_call_graph?.find((m) => m.fqn === '');
  const text = root?.signature?.out_spec;
  if (text === undefined) return undefined;
  try {
    const spec = JSON.parse(text) as [number, { context?: string; children_spec?: { type: unknown }[] }];
    const top = spec[1];
    const names: unknown = top.context === undefined || top.context === null ? undefined : JSON.parse(top.context);
    const leaves = top.children_spec?.every((c) => c.type === null) ?? false;
    if (!leaves || !Array.isArray(names) || names.length !== count) return undefined;
    return names.every((x) => typeof x === 'string') && new Set(names).size === count ? (names as string[]) : undefined;
  } catch {
    return undefined;
  }
}
