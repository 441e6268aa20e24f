// Driver behaviour beyond the example rules: replacing an interior value (with re-sorting),
// pattern combinators (opt, oneOf, repeated captures), and stacked rewrites keeping the
// function the graph computes.
import fc from 'fast-check';
import { P } from 'ts-pattern';
import { describe, expect, it } from 'vitest';
import { interpret } from '../backends/reference/interpreter.js';
import { intAttr } from '../ir/attrs.js';
import { GraphBuilder } from '../ir/builder.js';
import { SOLDER_DOMAIN } from '../ir/graph.js';
import { makeTensor } from '../ir/tensor.js';
import { verify } from '../ir/verify.js';
import { mismatch, size, values } from '../test/float64-onnx.js';
import { addGelu, linearGelu } from '../test/pattern-graphs.js';
import { applyRules } from './driver.js';
import { geluErf } from './activation/gelu.js';
import { linearGelu as foldGelu } from './linear/epilogue.js';
import { matmulAdd as matmulBias } from './linear/matmul.js';
import { explainRule } from './explain.js';
import { capture, constant, maybe, node, oneOf, op, opIn, opt } from './pattern.js';
import { rule } from './rule.js';

// LayerNorm(x + skip) -> SkipLayerNorm(x, skip), which also defines the sum others read
const skipLayerNorm = rule({
  name: 'test/skip-layer-norm',
  root: 'LayerNorm',
  domain: SOLDER_DOMAIN,
  pattern: opIn(SOLDER_DOMAIN, 'LayerNorm', node('sum', op('Add', capture('x'), capture('skip'))), capture('w'), maybe(capture('b')), { axis: -1 }),
  rewrite: (m) => {
    const sum = m.node('sum').outputs[0]!;
    return {
      nodes: [{ op: 'SkipLayerNorm', domain: SOLDER_DOMAIN, inputs: [m.value('x'), m.value('skip'), m.value('w'), m.value('b')], outputs: [m.root.outputs[0]!, sum] }],
      replaces: [m.root.outputs[0]!, sum],
    };
  },
});

const feed = (shape: number[], seed: number) => makeTensor('float32', shape, values(seed, size(shape)));

describe('applyRules', () => {
  it('replaces an interior value that is read between it and the root, re-sorting its readers', () => {
    const b = new GraphBuilder('skip-ln');
    const x = b.input('x', 'float32', ['batch', 6]);
    const skip = b.input('skip', 'float32', ['batch', 6]);
    const w = b.initializer('w', feed([6], 1));
    const [sum] = b.node('Add', [x, skip], {}, { name: 'residual' });
    // Reads the sum before the LayerNorm in graph order: after fusion it must move after it.
    const [side] = b.node('Relu', [sum!], {}, { name: 'side' });
    const [normed] = b.node('LayerNorm', [sum!, w], { epsilon: 1e-5 }, { name: 'ln', domain: SOLDER_DOMAIN });
    const [out] = b.node('Mul', [normed!, side!], {}, { name: 'out' });
    b.output(out!);
    const source = b.build();
    const { graph, trace } = applyRules(source, [skipLayerNorm]);
    expect(graph.nodes.map((n) => n.name)).toEqual(['ln/SkipLayerNorm', 'side', 'out']);
    expect(trace.applications[0]).toMatchObject({ removed: ['ln', 'residual'], added: ['ln/SkipLayerNorm'] });
    verify(graph);
    const feeds = new Map([['x', feed([3, 6], 2)], ['skip', feed([3, 6], 3)]]);
    const want = interpret(source, feeds).outputs.get(out!)!;
    expect(mismatch(interpret(graph, feeds).outputs.get(out!)!.data, want.data, 1e-5, 1e-5)).toBeUndefined();
  });

  it('adds the initializers a rewrite creates, typed, under fresh names', () => {
    // Div(x, c) -> Mul(x, 1/c)
    const reciprocal = rule({
      name: 'test/div-to-mul',
      root: 'Div',
      pattern: op('Div', capture('x'), constant('c')),
      rewrite: (m, ctx) => {
        const c = m.constant('c');
        const inv = ctx.initializer('reciprocal', makeTensor(c.dtype, c.shape, Array.from(c.data, (v) => 1 / v)));
        return { nodes: [{ op: 'Mul', inputs: [m.value('x'), inv], outputs: m.root.outputs }], replaces: 'root' };
      },
    });
    const b = new GraphBuilder('div');
    const x = b.input('x', 'float32', ['n', 3]);
    const [y] = b.node('Div', [x, b.initializer('c', feed([3], 7))], {}, { name: 'div' });
    b.output(y!);
    const source = b.build();
    const { graph } = applyRules(source, [reciprocal]);
    expect(graph.nodes[0]).toMatchObject({ name: 'div/Mul', inputs: ['x', 'div/reciprocal'], origins: ['div'] });
    expect(graph.initializers.get('div/reciprocal')?.shape).toEqual([3]);
    verify(graph);
    const feeds = new Map([['x', feed([2, 3], 8)]]);
    expect(mismatch(interpret(graph, feeds).outputs.get(y!)!.data, interpret(source, feeds).outputs.get(y!)!.data, 1e-6, 1e-7)).toBeUndefined();
  });

  it('leaves the input graph unchanged', () => {
    const source = linearGelu(3, 2, values);
    const before = source.nodes.map((n) => n.name);
    applyRules(source, [geluErf, matmulBias, foldGelu]);
    expect(source.nodes.map((n) => n.name)).toEqual(before);
  });

  it('stacked rewrites keep the function: Gelu(MatMul + bias) -> one Linear', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 3 }), fc.integer(), (k, n, rows, seed) => {
      const source = linearGelu(k, n, (s, count) => values(seed + s, count));
      const { graph } = applyRules(source, [geluErf, matmulBias, foldGelu]);
      expect(graph.nodes.map((x) => x.op)).toEqual(['Linear']);
      const feeds = new Map([['x', feed([rows, k], seed)]]);
      const name = source.outputs[0]!.name;
      const want = interpret(source, feeds).outputs.get(name)!;
      expect(mismatch(interpret(graph, feeds).outputs.get(name)!.data, want.data, 1e-5, 1e-6)).toBeUndefined();
    }), { numRuns: 40 });
  });
});

describe('pattern combinators', () => {
  // Softmax(opt(Cast(x))) -> Softmax(x); one sweep only, since the result matches again
  const throughCast = rule({
    name: 'test/opt-cast',
    root: 'Softmax',
    pattern: op('Softmax', opt(op('Cast', capture('x'), { to: 1 })), { axis: P.union(-1, 1) }),
    rewrite: (m) => ({ nodes: [{ op: 'Softmax', inputs: [m.value('x')], outputs: m.root.outputs, attrs: { axis: intAttr(-1) } }], replaces: 'root' }),
  });

  it('opt matches with and without the pass-through wrapper', () => {
    for (const withCast of [true, false]) {
      const b = new GraphBuilder('opt');
      const x = b.input('x', 'float32', [2, 3]);
      const [cast] = withCast ? b.node('Cast', [x], { to: 1 }, { name: 'cast' }) : [x];
      const [y] = b.node('Softmax', [cast!], { axis: 1 }, { name: 'sm' });
      b.output(y!);
      const { graph, trace } = applyRules(b.build(), [throughCast], { maxIterations: 1 });
      expect(graph.nodes.map((n) => n.name)).toEqual(['sm/Softmax']);
      expect(trace.applications[0]!.removed).toEqual(withCast ? ['sm', 'cast'] : ['sm']);
    }
  });

  it('oneOf tries each alternative; a repeated capture must bind the same value', () => {
    const either = rule({
      name: 'test/one-of',
      root: 'Mul',
      pattern: op('Mul', capture('x'), oneOf(op('Sigmoid', capture('x')), op('Tanh', capture('x')))),
      rewrite: (m) => ({ nodes: [{ op: 'Identity', inputs: [m.value('x')], outputs: m.root.outputs }], replaces: 'root' }),
    });
    const b = new GraphBuilder('silu');
    const x = b.input('x', 'float32', [4]);
    const y = b.input('y', 'float32', [4]);
    const [t] = b.node('Tanh', [x], {}, { name: 'tanh' });
    const [good] = b.node('Mul', [t!, x], {}, { name: 'good' });
    const [s] = b.node('Sigmoid', [y], {}, { name: 'sig' });
    const [bad] = b.node('Mul', [x, s!], {}, { name: 'bad' });
    b.output(good!, bad!);
    const source = b.build();
    const { graph } = applyRules(source, [either]);
    expect(graph.nodes.map((n) => n.name)).toEqual(['good/Identity', 'sig', 'bad']);
    const [, why] = explainRule(source, either);
    expect(why).toMatchObject({ anchor: 'bad', outcome: 'no-match', node: 'sig' });
    expect(why!.reason).toMatch(/capture 'x' is 'x' elsewhere, 'y' here/);
  });

  it('the GELU rule does not fire when a constant is off, and explain says which', () => {
    const b = new GraphBuilder('gelu-off');
    const x = b.input('x', 'float32', [4]);
    b.output(addGelu(b, x, { outerSwap: true, innerSwap: false, addSwap: true }, 'g_', 1.5));
    const [e] = explainRule(b.build(), geluErf, { node: 'g_mul_half' });
    expect(e).toMatchObject({ outcome: 'check-failed', check: 'divisor-is-sqrt(2)', node: 'g_div' });
    expect(e!.message).toMatch(/found 1\.5, expected 1\.414/);
  });
});
