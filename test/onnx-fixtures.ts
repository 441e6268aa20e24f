// Small hand-built ONNX models for importer tests: each names exactly the fields a test
// is about, the rest is a one-node Relu model.
import type { onnx as P } from 'onnx-proto';
import { onnx } from '../ir/import/onnx-proto.js';

export interface ModelParts {
  readonly opsets?: readonly P.IOperatorSetIdProto[];
  readonly nodes?: readonly P.INodeProto[];
  readonly initializers?: readonly P.ITensorProto[];
  readonly inputs?: readonly P.IValueInfoProto[];
  readonly outputs?: readonly P.IValueInfoProto[];
  readonly valueInfo?: readonly P.IValueInfoProto[];
}

export function floatValue(name: string, dims: readonly (number | string | null)[]): P.IValueInfoProto {
  const dim = dims.map((d) => (d === null ? {} : typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: 1, shape: { dim } } } };
}

/** ModelProto bytes: by default y = Relu(x) over float[2] at opset 17. */
export function modelBytes(parts: ModelParts = {}): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [...(parts.opsets ?? [{ domain: '', version: 17 }])],
    producerName: 'solder-tests',
    graph: {
      name: 'g',
      node: [...(parts.nodes ?? [{ name: 'relu', opType: 'Relu', input: ['x'], output: ['y'] }])],
      initializer: [...(parts.initializers ?? [])],
      input: [...(parts.inputs ?? [floatValue('x', [2])])],
      output: [...(parts.outputs ?? [floatValue('y', [2])])],
      valueInfo: [...(parts.valueInfo ?? [])],
    },
  }).finish();
}

/** A float32 initializer of the given shape whose bytes live in an external file. */
export function externalFloats(name: string, dims: readonly number[], location: string, offset: number): P.ITensorProto {
  const length = dims.reduce((a, b) => a * b, 1) * 4;
  return {
    name,
    dims: [...dims],
    dataType: 1,
    dataLocation: 1,
    externalData: [
      { key: 'location', value: location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(length) },
    ],
  };
}
