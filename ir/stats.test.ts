import { describe, expect, it } from 'vitest';
import { TEST_DOMAIN } from '../test/tools-ops.js';
import { GraphBuilder } from './builder.js';
import type { Graph } from './graph.js';
import { graphStats } from './stats.js';
import { makeTensor } from './tensor.js';
import { typeToString } from './types.js';

function model(): Graph {
  const b = new GraphBuilder('m');
  const x = b.input('x', 'float32', ['batch', 8]);
  const w1 = b.initializer('w1', makeTensor('float32', [8, 8], Array.from({ length: 64 }, (_, i) => i)));
  const w2 = b.initializer('w2', makeTensor('float16', [8, 4], Array.from({ length: 32 }, (_, i) => i)));
  const [h] = b.node('MatMul', [x, w1], {}, { domain: TEST_DOMAIN });
  const [h2] = b.node('Add', [h!, h!], {}, { domain: TEST_DOMAIN });
  const [h3] = b.node('Add', [h2!, x], {}, { domain: TEST_DOMAIN });
  const shape = b.initializer('shape', makeTensor('int64', [2], [0, 8]));
  const [r] = b.node('Reshape', [h3!, shape]);
  b.output(r!);
  const g = b.build();
  // An op of another domain, only counted here (stats never looks specs up).
  const fused = { name: 'fused', op: 'Bias', domain: 'solder', inputs: [r!], outputs: ['f'], attrs: {} };
  return { ...g, nodes: [...g.nodes, fused] };
}

describe('graphStats', () => {
  it('counts nodes, ops (most frequent first) and parameters, from metadata only', () => {
    const g = model();
    const unreadable = new Map([...g.initializers].map(([k, v]) => [k, { ...v, bytes: { byteLength: v.bytes.byteLength, read: (): Uint8Array => { throw new Error('read'); } } }]));
    const s = graphStats({ ...g, initializers: unreadable });
    expect(s.nodeCount).toBe(5);
    expect(s.ops).toEqual([
      { op: 'test.tools::Add', count: 2 },
      { op: 'Reshape', count: 1 },
      { op: 'solder::Bias', count: 1 },
      { op: 'test.tools::MatMul', count: 1 },
    ]);
    expect(s.initializerCount).toBe(3);
    expect(s.parameterCount).toBe(64 + 32 + 2);
    expect(s.parameterBytes).toBe(64 * 4 + 32 * 2 + 2 * 8);
    expect(s.inputs.map((v) => `${v.name}: ${typeToString(v.type)}`)).toEqual(['x: float32[batch, 8]']);
    expect(s.outputs.map((v) => `${v.name}: ${typeToString(v.type)}`)).toEqual(['Reshape_3_out0: float32[batch, 8]']);
  });
});
