import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SolderError } from '../errors.js';
import { importModel } from './index.js';

const example = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/bert.sdpa.dynamo.onnx');

describe('importModel', () => {
  it('imports .onnx files with the ONNX importer', () => {
    const graph = importModel(example);
    expect(graph.meta.source).toBe('onnx');
    expect(graph.inputs.map((i) => i.name)).toEqual(['input_ids', 'attention_mask', 'token_type_ids']);
  });

  it('rejects other extensions, naming the file', () => {
    expect(() => importModel('model.tflite')).toThrow(SolderError);
    expect(() => importModel('model.tflite')).toThrow(/model\.tflite.*\.onnx.*\.pt2/);
  });
});
