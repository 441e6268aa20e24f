// Re-inference after fold-shapes carries the types of untouched nodes over (inferTypes'
// `previous` option): on every fixture it must give exactly the graph full inference gives,
// and it must still infer anew what the pass changed.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from '../api/load.js';
import { GraphBuilder } from '../ir/builder.js';
import type { Graph } from '../ir/graph.js';
import { inferTypes } from '../ir/infer.js';
import { makeTensor } from '../ir/tensor.js';
import { typeToString } from '../ir/types.js';
import { allModels, warnIfNoSharedModels } from '../test/models.js';
import { evaluateNode } from './evaluate.js';
import { foldConstants } from './fold-constants.js';
import { foldShapes } from './fold-shapes.js';

warnIfNoSharedModels('reinfer');

/** Everything inference decides, as text: value types, graph outputs, node order, initializers. */
function typedView(g: Graph): string {
  return JSON.stringify({
    valueInfo: [...g.valueInfo].map(([name, t]) => `${name}: ${typeToString(t)}`),
    outputs: g.outputs.map((o) => `${o.name}: ${typeToString(o.type)}`),
    nodes: g.nodes.map((n) => n.name),
    initializers: [...g.initializers.keys()],
  });
}

/** Both rounds of canonicalize's fold-shapes, each re-inferred fully and incrementally. */
function compareRounds(start: Graph): number {
  let g = foldConstants(start);
  let rounds = 0;
  for (let round = 0; round < 2; round++) {
    const folded = foldShapes(g);
    if (folded === g) break;
    const full = inferTypes(folded, { evaluate: evaluateNode });
    const carried = inferTypes(folded, { evaluate: evaluateNode, previous: g });
    expect(typedView(carried)).toBe(typedView(full));
    rounds++;
    g = foldConstants(full);
  }
  return rounds;
}

const models = allModels().filter((m) => m.file.endsWith('.onnx'));

describe.skipIf(models.length === 0)('re-inference with carried-over types, on the fixtures', () => {
  it.each(models.map((m) => [path.basename(m.file), m.file] as const))('%s: same types as full inference', (_name, file) => {
    compareRounds(load(file));
  });
});

describe('re-inference with carried-over types', () => {
  it('infers anew the nodes downstream of a changed input and keeps the rest', () => {
    // x -> Reshape(x, Concat(Shape(x)[0], 4, -1)) -> Relu -> y; Relu reads what the fold changes.
    const b = new GraphBuilder('reinfer');
    const x = b.input('x', 'float32', ['batch', 8]);
    const [shape] = b.node('Shape', [x]);
    const [first] = b.node('Gather', [shape!, b.initializer('zero', makeTensor('int64', [1], [0]))], { axis: 0 });
    const [target] = b.node('Concat', [first!, b.initializer('rest', makeTensor('int64', [2], [4, -1]))], { axis: 0 });
    const [reshaped] = b.node('Reshape', [x, target!]);
    const [y] = b.node('Relu', [reshaped!]);
    const [z] = b.node('Neg', [x]);
    b.output(y!, z!);
    const typed = foldConstants(b.build());
    const typeOfY = (g: Graph) => typeToString(g.outputs.find((o) => o.name === y)!.type);
    const folded = foldShapes(typed);
    expect(folded).not.toBe(typed);
    const full = inferTypes(folded, { evaluate: evaluateNode });
    const carried = inferTypes(folded, { evaluate: evaluateNode, previous: typed });
    expect(typedView(carried)).toBe(typedView(full));
    // Before the fold the Reshape target was computed at run time; after it, y's type is
    // known, which only a re-inferred Relu (downstream of the changed Reshape) can know.
    expect(typeOfY(typed)).not.toBe('float32[batch, 4, 2]');
    expect(typeOfY(carried)).toBe('float32[batch, 4, 2]');
  });
});
