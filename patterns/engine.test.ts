// The rule engine on small built graphs: commutative matching, constants checked rather
// than written, declines and explain, provenance through stacked rewrites, fixed points.
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../ir/builder.js';
import { SOLDER_DOMAIN } from '../ir/graph.js';
import { verify } from '../ir/verify.js';
import { eagerAttention, addGelu, linearGelu } from '../test/pattern-graphs.js';
import { values } from '../test/float64-onnx.js';
import { applyRules } from './driver.js';
import { explainRule } from './explain.js';
import { eagerAttention as sdpaEager } from './attention/eager.js';
import { dimOf, scalarNear } from './checks.js';
import { geluErf } from './activation/gelu.js';
import { linearGelu as foldGelu } from './linear/epilogue.js';
import { matmulAdd as matmulBias } from './linear/matmul.js';
import { capture, op } from './pattern.js';
import { decline, rule } from './rule.js';

const shape = (headDim: number) => ({ batch: 2, heads: 2, qSeq: 3, kvSeq: 5, headDim, valueDim: 4 });

describe('commutative matching', () => {
  const orders = [false, true].flatMap((outerSwap) => [false, true].flatMap((innerSwap) => [false, true].map((addSwap) => ({ outerSwap, innerSwap, addSwap }))));

  it.each(orders)('one GELU rule fuses every operand order: %o', (order) => {
    const b = new GraphBuilder('gelu');
    const x = b.input('x', 'float32', ['batch', 8]);
    b.output(addGelu(b, x, order, 'g_'));
    const { graph, trace } = applyRules(b.build(), [geluErf]);
    expect(graph.nodes.map((n) => `${n.domain}::${n.op}`)).toEqual(['solder::Gelu']);
    expect(graph.nodes[0]!.inputs).toEqual(['x']);
    expect(trace.applications).toHaveLength(1);
    verify(graph);
  });
});

describe('the eager attention rule', () => {
  it.each([16, 64])('fuses head_dim %i with the scale captured as a constant, not a literal', (headDim) => {
    for (const scaleAs of ['initializer', 'constant'] as const) {
      const source = eagerAttention(shape(headDim), { scale: 1 / Math.sqrt(headDim), scaleAs, swapAdd: true, swapMul: true, symbolic: true });
      const { graph, trace } = applyRules(source, [sdpaEager]);
      expect(graph.nodes.map((n) => n.op)).toEqual(['Attention']);
      const fused = graph.nodes[0]!;
      expect(fused.name).toBe('pv/Attention');
      expect(fused.inputs).toEqual(['q', 'k', 'v', 'mask']);
      expect(fused.attrs['scale']).toEqual({ kind: 'float', value: Math.fround(1 / Math.sqrt(headDim)) });
      const cluster = ['k_t', 'qk', 'scale_mul', 'mask_add', 'softmax', 'pv'];
      expect(fused.origins).toEqual(scaleAs === 'constant' ? ['scale_const', ...cluster] : cluster);
      expect(trace.applications[0]).toMatchObject({ rule: 'attention/eager', anchor: 'pv', added: ['pv/Attention'] });
      verify(graph);
    }
  });

  it('explain names the failing check, the node it sits on, and the numbers', () => {
    // The library folds any scale; a stricter variant shows how a failed value check reads.
    const unitScaled = rule({
      ...sdpaEager, root: 'MatMul', name: 'test/eager-unit-scale',
      checks: [...sdpaEager.checks, scalarNear('scale-is-1/sqrt(head_dim)', 'scale', (m, g) => {
        const headDim = dimOf(m, g, 'q', -1);
        return typeof headDim === 'number' ? 1 / Math.sqrt(headDim) : undefined;
      })],
    });
    const source = eagerAttention(shape(64), { scale: 0.3 });
    const [e] = explainRule(source, unitScaled, { node: 'pv' });
    expect(e).toMatchObject({ outcome: 'check-failed', check: 'scale-is-1/sqrt(head_dim)', node: 'scale_mul', anchor: 'pv' });
    expect(e!.message).toMatch(/check 'scale-is-1\/sqrt\(head_dim\)' failed on node 'scale_mul' \(Mul\): found 0\.30000001192092896, expected 0\.125/);
    expect(applyRules(source, [unitScaled]).graph.nodes).toHaveLength(source.nodes.length);
  });

  it('does not fuse a mask that would grow the scores (it must broadcast onto them)', () => {
    const source = eagerAttention({ ...shape(16), heads: 1 }, { scale: 0.25, maskShape: [2, 3, 3, 5] });
    const [, e] = explainRule(source, sdpaEager);
    expect(e).toMatchObject({ outcome: 'check-failed', check: 'masks-fit-scores', node: 'qk' });
    expect(e!.reason).toBe('found [2, 3, 3, 5], expected [2, 1, 3, 5]');
  });

  it('explain reports the deepest partial match and the failing step', () => {
    const b = new GraphBuilder('wrong-axis');
    const x = b.input('x', 'float32', [2, 3, 4, 4]);
    const v = b.input('v', 'float32', [2, 3, 4, 5]);
    const [sm] = b.node('Softmax', [x], { axis: 1 }, { name: 'sm' });
    const [out] = b.node('MatMul', [sm!, v], {}, { name: 'out' });
    b.output(out!);
    const [e] = explainRule(b.build(), sdpaEager, { node: 'out' });
    expect(e).toMatchObject({ outcome: 'no-match', node: 'sm', step: 'MatMul > in0 softmax=Softmax | castBack=Cast | guard=Where' });
    expect(e!.reason).toMatch(/attributes \{ axis: 1 \} do not match/);
    expect(e!.partial.nodes).toEqual(['out']);
  });

  it('declines when an intermediate has other users, and says which', () => {
    const source = eagerAttention(shape(16), { scale: 0.25, exposeProbs: true });
    const [qk, e] = explainRule(source, sdpaEager);
    expect(qk).toMatchObject({ anchor: 'qk', outcome: 'no-match', step: 'MatMul > in0 softmax=Softmax | castBack=Cast | guard=Where', node: 'qk' });
    expect(e).toMatchObject({ outcome: 'declined', node: 'softmax' });
    expect(e!.reason).toMatch(/intermediate 'softmax_out0' of 'softmax' has other users \(a graph output\)/);
    const { graph, trace } = applyRules(source, [sdpaEager]);
    expect(trace.applications).toHaveLength(0);
    expect(graph.nodes).toEqual(source.nodes);
  });

  it("keeps shared intermediates under the 'keep' policy and still fuses", () => {
    const keeping = rule({ ...sdpaEager, root: 'MatMul', name: 'attention/eager-keep', sharedIntermediates: 'keep' });
    const source = eagerAttention(shape(16), { scale: 0.25, exposeProbs: true });
    const { graph, trace } = applyRules(source, [keeping]);
    expect(graph.nodes.map((n) => n.name)).toEqual(['k_t', 'qk', 'scale_mul', 'mask_add', 'softmax', 'pv/Attention']);
    expect(trace.applications[0]).toMatchObject({ removed: ['pv'], kept: ['softmax', 'mask_add', 'scale_mul', 'qk', 'k_t'] });
    verify(graph);
  });
});

describe('rewrites that decline', () => {
  it("a rewrite's decline reason reaches explain, and the graph is left alone", () => {
    const picky = rule({
      name: 'test/no-graph-inputs',
      root: 'Relu',
      pattern: op('Relu', capture('x')),
      rewrite: (m, g) => (g.producer(m.value('x')) === undefined ? decline(`'${m.value('x')}' is a graph input`) : { nodes: [], replaces: [] }),
    });
    const b = new GraphBuilder('relu');
    const x = b.input('x', 'float32', [3]);
    const [y] = b.node('Relu', [x], {}, { name: 'relu' });
    b.output(y!);
    const source = b.build();
    expect(explainRule(source, picky)[0]).toMatchObject({ outcome: 'declined', reason: "'x' is a graph input", node: 'relu' });
    expect(applyRules(source, [picky]).trace.applications).toHaveLength(0);
  });
});

describe('stacked rewrites', () => {
  it('carries provenance through three rewrites and reaches a fixed point', () => {
    const source = linearGelu(4, 3, values);
    const { graph, trace } = applyRules(source, [geluErf, matmulBias, foldGelu]);
    expect(graph.nodes).toHaveLength(1);
    const fused = graph.nodes[0]!;
    expect(fused).toMatchObject({ op: 'Linear', domain: SOLDER_DOMAIN, inputs: ['x', 'w', 'bias'] });
    expect(fused.attrs['activation']).toEqual({ kind: 'string', value: 'gelu' });
    // The union of every original node, in source order, though it was fused twice.
    expect(fused.origins).toEqual(['fc_matmul', 'fc_add', 'gelu_div', 'gelu_erf', 'gelu_add', 'gelu_mul', 'gelu_mul_half']);
    expect(trace.applications.map((a) => [a.rule, a.iteration])).toEqual([
      ['linear/matmul-add', 0], ['activation/gelu-erf', 0], ['linear/fold-gelu', 1],
    ]);
    expect(trace.applications[2]!.removed).toEqual(['gelu_mul_half/Gelu', 'fc_add/Linear']);
    expect(trace.converged).toBe(true);
    expect(trace.iterations).toBe(3);
    verify(graph);
  });

  it('stops at maxIterations and says it did not converge when rules undo each other', () => {
    const there = rule({ name: 'test/relu-to-abs', root: 'Relu', pattern: op('Relu', capture('x')), rewrite: (m) => ({ nodes: [{ op: 'Abs', inputs: [m.value('x')], outputs: m.root.outputs }], replaces: 'root' }) });
    const back = rule({ name: 'test/abs-to-relu', root: 'Abs', pattern: op('Abs', capture('x')), rewrite: (m) => ({ nodes: [{ op: 'Relu', inputs: [m.value('x')], outputs: m.root.outputs }], replaces: 'root' }) });
    const b = new GraphBuilder('loop');
    const [y] = b.node('Relu', [b.input('x', 'float32', [2])], {}, { name: 'r' });
    b.output(y!);
    const { graph, trace } = applyRules(b.build(), [there, back], { maxIterations: 5 });
    expect(trace).toMatchObject({ converged: false, iterations: 5 });
    expect(graph.nodes[0]!.origins).toEqual(['r']);
    expect(new Set(trace.applications.flatMap((a) => a.added)).size).toBe(5);
  });
});
