// The norm rules on small built graphs: every exporter form fuses into the canonical op
// with the graph's epsilon and axis, and the clusters that are not norms decline with a
// reason explain can show.
import { describe, expect, it } from 'vitest';
import { SOLDER_DOMAIN, type Graph } from '../../ir/graph.js';
import { GraphBuilder } from '../../ir/builder.js';
import { makeTensor } from '../../ir/tensor.js';
import { verify } from '../../ir/verify.js';
import { values } from '../../test/float64-onnx.js';
import { type LayerNormForm, type NormCase, type RmsForm, layerNormGraph, rmsNormGraph } from '../../test/norm-graphs.js';
import { applyRules } from '../driver.js';
import { explainRule } from '../explain.js';
import { layerNormBias, layerNormDecomposed, layerNormOp } from './layer-norm.js';
import { NORM_RULES } from './index.js';
import { rmsNormDecomposed } from './rms-norm.js';
import { skipLayerNorm } from './skip.js';

const base: NormCase = { shape: [2, 3, 8], dtype: 'float32', axis: -1, epsilon: 1e-6, weightDrop: 0, seed: 7 };

function fused(source: Graph): Graph {
  const { graph } = applyRules(source, NORM_RULES);
  verify(graph);
  return graph;
}

const ops = (g: Graph) => g.nodes.map((n) => (n.domain === SOLDER_DOMAIN ? `solder::${n.op}` : n.op));
const attr = (g: Graph, op: string, name: string) => g.nodes.find((n) => n.op === op)!.attrs[name]?.value;

describe('RMSNorm', () => {
  const forms: RmsForm[] = [
    { square: 'pow', inverse: 'reciprocal', axesAs: 'input' },
    { square: 'mul', inverse: 'div-one', axesAs: 'attribute', weightFirst: true },
    { square: 'pow', inverse: 'div', axesAs: 'attribute' },
    { inverse: 'reciprocal', compute: 'float32' },
  ];

  it.each(forms)('fuses %o with the epsilon the graph holds', (form) => {
    const g = fused(rmsNormGraph(base, form));
    expect(ops(g)).toEqual(['solder::RMSNorm']);
    expect(g.nodes[0]!.inputs).toEqual(['x', 'w']);
    expect(attr(g, 'RMSNorm', 'epsilon')).toBe(Math.fround(1e-6));
    expect(attr(g, 'RMSNorm', 'offset')).toBe(0);
  });

  it('absorbs widening compute casts around a float16 input (Llama in half precision)', () => {
    const g = fused(rmsNormGraph({ ...base, dtype: 'float16' }, { compute: 'float32' }));
    expect(ops(g)).toEqual(['solder::RMSNorm']);
    expect(g.nodes[0]!.origins).toEqual(expect.arrayContaining(['cast_up', 'cast_down', 'weight']));
  });

  it('reads (1 + w) as offset=1 and normalizes the trailing dims the mean reduces', () => {
    const g = fused(rmsNormGraph({ ...base, axis: -2, weightDrop: 1 }, { offset: true }));
    expect(ops(g)).toEqual(['solder::RMSNorm']);
    expect(attr(g, 'RMSNorm', 'offset')).toBe(1);
    expect(attr(g, 'RMSNorm', 'axis')).toBe(-2);
  });

  it('maps the ONNX RMSNormalization op, epsilon and axis included', () => {
    const b = new GraphBuilder('rms-op');
    const x = b.input('x', 'float32', [2, 4, 8]);
    const w = b.initializer('w', makeTensor('float32', [4, 8], values(1, 32)));
    b.output(b.node('RMSNormalization', [x, w], { axis: -2, epsilon: 1e-3 }, { name: 'rms' })[0]!);
    const g = fused(b.build());
    expect(ops(g)).toEqual(['solder::RMSNorm']);
    expect([attr(g, 'RMSNorm', 'axis'), attr(g, 'RMSNorm', 'epsilon')]).toEqual([-2, 1e-3]);
  });

  it('declines an exponent other than 2', () => {
    const [e] = explainRule(rmsNormGraph(base, { exponent: 3 }), rmsNormDecomposed, { node: 'weight' });
    expect(e).toMatchObject({ outcome: 'check-failed', check: 'exponent-is-2', node: 'square' });
    expect(e!.reason).toBe('found 3, expected 2');
  });

  it('declines a mean over a dim that is not trailing', () => {
    const [e] = explainRule(rmsNormGraph(base, { reduceAxes: [1] }), rmsNormDecomposed, { node: 'weight' });
    expect(e).toMatchObject({ outcome: 'check-failed', check: 'mean-over-trailing-dims', node: 'mean' });
    expect(e!.reason).toMatch(/reduces axes \[1\] of a rank-3 tensor, not a run of trailing dims/);
  });

  it('declines an epsilon that is not one value', () => {
    const [e] = explainRule(rmsNormGraph(base, { epsShape: [2, 1, 1] }), rmsNormDecomposed, { node: 'weight' });
    expect(e).toMatchObject({ outcome: 'check-failed', check: 'epsilon-is-one-value', node: 'add_eps' });
    expect(e!.reason).toBe('found shape [2, 1, 1], expected a single value');
  });

  it('declines a cast that narrows the computation', () => {
    const [e] = explainRule(rmsNormGraph(base, { compute: 'float16' }), rmsNormDecomposed, { node: 'weight' });
    expect(e).toMatchObject({ outcome: 'check-failed', check: 'casts-only-widen' });
    expect(e!.reason).toMatch(/'cast_up' casts float32 to float16/);
  });
});

describe('LayerNorm', () => {
  const forms: LayerNormForm[] = [
    { square: 'pow', divide: 'div', bias: true, axesAs: 'input' },
    { square: 'mul', divide: 'reciprocal', bias: false, axesAs: 'attribute' },
    { op: true, bias: true },
    { op: true, bias: false },
  ];

  it.each(forms)('fuses %o', (form) => {
    const g = fused(layerNormGraph(base, form));
    expect(ops(g)).toEqual(['solder::LayerNorm']);
    expect(g.nodes[0]!.inputs).toEqual(form.bias ? ['x', 'w', 'b'] : ['x', 'w']);
    expect(attr(g, 'LayerNorm', 'epsilon')).toBe(Math.fround(1e-6));
  });

  it('folds the bias in a second step and keeps the provenance of every node', () => {
    const { graph, trace } = applyRules(layerNormGraph(base, { bias: true }), NORM_RULES);
    expect(trace.applications.map((a) => a.rule)).toEqual(['norm/layernorm-decomposed', 'norm/layernorm-fold-bias']);
    expect(graph.nodes[0]!.origins).toEqual(['mean', 'center', 'square', 'variance', 'add_eps', 'sqrt', 'scale', 'weight', 'bias']);
  });

  it.each([
    [{ exponent: 3 }, 'exponent-is-2', 'found 3, expected 2'],
    [{ reduceAxes: [0] }, 'mean-over-trailing-dims', "'mean' reduces axes [0] of a rank-3 tensor, not a run of trailing dims"],
    [{ epsShape: [3, 1] }, 'epsilon-is-one-value', 'found shape [3, 1], expected a single value'],
  ] as const)('declines the decomposed form with %o', (form, checkName, reason) => {
    const [e] = explainRule(layerNormGraph(base, form), layerNormDecomposed, { node: 'weight' });
    expect(e).toMatchObject({ outcome: 'check-failed', check: checkName, reason });
  });

  it('declines a variance over other dims than the mean', () => {
    const [e] = explainRule(layerNormGraph({ ...base, axis: -2, weightDrop: 1 }, { varianceAxes: [-1] }), layerNormDecomposed, { node: 'weight' });
    expect(e).toMatchObject({ outcome: 'check-failed', check: 'variance-over-the-same-dims', node: 'variance' });
    expect(e!.reason).toBe('found -1, expected -2');
  });

  it('declines a LayerNormalization whose mean output is read', () => {
    const g = layerNormGraph(base, { op: true });
    const ln = g.nodes.find((n) => n.op === 'LayerNormalization')!;
    const withStats: Graph = { ...g, nodes: g.nodes.map((n) => (n === ln ? { ...n, outputs: [...n.outputs, 'ln_mean'] } : n)), outputs: [...g.outputs, { name: 'ln_mean', type: { dtype: 'float32', shape: [2, 3, 1] } }] };
    const [e] = explainRule(withStats, layerNormOp);
    expect(e).toMatchObject({ outcome: 'check-failed', check: 'statistics-outputs-unread' });
  });

  it('does not take a constant that would grow the output for a bias', () => {
    const b = new GraphBuilder('post-residual');
    const x = b.input('x', 'float32', [2, 3, 8]);
    const r = b.initializer('r', makeTensor('float32', [2, 3, 8], values(2, 48)));
    const w = b.initializer('w', makeTensor('float32', [8], values(1, 8)));
    const [y] = b.node('LayerNormalization', [x, w], { axis: -1 }, { name: 'ln' });
    const [out] = b.node('Add', [y!, r], {}, { name: 'plus_r' });
    b.output(out!);
    const { graph } = applyRules(b.build(), [layerNormOp]);
    const [e] = explainRule(graph, layerNormBias, { node: 'plus_r' });
    expect(e).toMatchObject({ outcome: 'check-failed', check: 'b-fits-normalized-dims', node: 'plus_r' });
    expect(e!.reason).toBe('found shape [2, 3, 8], expected a shape broadcasting onto the normalized dims (1 trailing)');
  });
});

describe('Skip variants', () => {
  it.each(['internal', 'exposed'] as const)('fuses the residual Add when the sum is read %s', (skip) => {
    const g = fused(rmsNormGraph(base, { skip }));
    const norm = g.nodes.find((n) => n.op === 'SkipRMSNorm')!;
    expect(norm.inputs).toEqual(['x', 'skip', 'w']);
    expect(norm.outputs).toHaveLength(skip === 'exposed' ? 2 : 1);
    expect(ops(g)).toEqual(['solder::SkipRMSNorm']);
    expect(g.outputs.map((o) => o.name)).toEqual(skip === 'exposed' ? ['weight_out0', 'residual_out0'] : ['weight_out0']);
    if (skip === 'exposed') expect(norm.outputs[1]).toBe('residual_out0');
    const ln = fused(layerNormGraph(base, { skip, bias: true }));
    expect(ops(ln)).toEqual(['solder::SkipLayerNorm']);
    expect(ln.nodes[0]!.outputs).toEqual(skip === 'exposed' ? ['bias_out0', 'residual_out0'] : ['bias_out0']);
  });

  it('feeds the sum to its other readers from the fused node (pre-LN: the next residual)', () => {
    const b = new GraphBuilder('pre-ln');
    const [x, skip, later] = ['x', 'skip', 'later'].map((n) => b.input(n, 'float32', [2, 8]));
    const w = b.initializer('w', makeTensor('float32', [8], values(1, 8)));
    const [sum] = b.node('Add', [x!, skip!], {}, { name: 'residual' });
    const [y] = b.node('LayerNormalization', [sum!, w], {}, { name: 'ln' });
    const [next] = b.node('Add', [later!, sum!], {}, { name: 'next_residual' });
    b.output(y!, next!);
    const g = fused(b.build());
    expect(ops(g)).toEqual(['solder::SkipLayerNorm', 'Add']);
    expect(g.nodes[1]!.inputs).toEqual(['later', g.nodes[0]!.outputs[1]]);
  });

  it('declines when a weight is computed from the sum it would define', () => {
    const b = new GraphBuilder('odd');
    const [x, skip] = ['x', 'skip'].map((n) => b.input(n, 'float32', [8]));
    const w = b.initializer('w', makeTensor('float32', [8], values(1, 8)));
    const [sum] = b.node('Add', [x!, skip!], {}, { name: 'residual' });
    const [y] = b.node('LayerNormalization', [sum!, w, sum!], {}, { name: 'ln' });
    b.output(y!);
    const { graph } = applyRules(b.build(), [layerNormOp]);
    const [e] = explainRule(graph, skipLayerNorm);
    expect(e).toMatchObject({ outcome: 'check-failed', check: 'weights-independent-of-the-sum', node: 'residual' });
  });

  it('does not read a constant addend as a residual', () => {
    const g = layerNormGraph(base, { op: true });
    const withPos: Graph = {
      ...g,
      initializers: new Map([...g.initializers, ['pos', { ...g.initializers.get('w')!, name: 'pos' }]]),
      nodes: [{ name: 'add_pos', op: 'Add', domain: '', inputs: ['x', 'pos'], outputs: ['x_pos'], attrs: {} }, ...g.nodes.map((n) => ({ ...n, inputs: n.inputs.map((v) => (v === 'x' ? 'x_pos' : v)) }))],
      valueInfo: new Map([...g.valueInfo, ['x_pos', { dtype: 'float32' as const, shape: [2, 3, 8] }]]),
    };
    const { graph } = applyRules(withPos, [layerNormOp]);
    const [e] = explainRule(graph, skipLayerNorm);
    expect(e).toMatchObject({ outcome: 'check-failed', check: 'skip-is-not-a-constant' });
  });
});
