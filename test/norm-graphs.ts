// Norm clusters as the exporters write them, built small for the norm rule tests: RMSNorm
// (Llama/T5 forms, with compute-precision casts, (1 + w)), LayerNorm decomposed or as the
// ONNX op, each optionally on a residual sum whose value is read again afterwards.
import type { DType } from '../ir/dtype.js';
import { onnxCode } from '../ir/dtype.js';
import { GraphBuilder } from '../ir/builder.js';
import type { Graph } from '../ir/graph.js';
import { type Tensor, makeTensor } from '../ir/tensor.js';
import { size, values } from './float64-onnx.js';

export interface NormCase {
  readonly shape: readonly number[];
  /** The storage dtype of x, weights and the graph output. */
  readonly dtype: DType;
  /** Normalize the trailing dims from this (negative) axis on. */
  readonly axis: number;
  readonly epsilon: number;
  /** Leading normalized dims the weight leaves out (it broadcasts). */
  readonly weightDrop: number;
  readonly seed: number;
}

export interface NormCommon {
  /** Normalize x + skip: 'internal' reads the sum only in the norm, 'exposed' also makes it a graph output. */
  readonly skip?: 'none' | 'internal' | 'exposed';
  /** Where ReduceMean's axes live. */
  readonly axesAs?: 'attribute' | 'input';
  /** Overrides for rules that must decline. */
  readonly exponent?: number;
  readonly epsShape?: readonly number[];
  readonly reduceAxes?: readonly number[];
}

export interface RmsForm extends NormCommon {
  readonly square?: 'pow' | 'mul';
  readonly inverse?: 'reciprocal' | 'div-one' | 'div';
  readonly weightFirst?: boolean;
  /** Multiply by (1 + w) (Gemma). */
  readonly offset?: boolean;
  /** Compute behind Casts to this dtype, and cast back before the weight (Llama). */
  readonly compute?: DType;
}

export interface LayerNormForm extends NormCommon {
  /** The ONNX LayerNormalization op instead of the decomposed cluster. */
  readonly op?: boolean;
  readonly square?: 'pow' | 'mul';
  readonly divide?: 'div' | 'reciprocal';
  readonly bias?: boolean;
  readonly varianceAxes?: readonly number[];
}

/** The graph's dtypes: the case's, or float64 throughout for the reference run. */
export interface Precision {
  readonly float64?: boolean;
}

/** Values rounded to `storage`, stored as `dtype`: the float64 reference sees the same numbers. */
function tensor(dtype: DType, storage: DType, shape: readonly number[], vals: readonly number[]): Tensor {
  return makeTensor(dtype, shape, makeTensor(storage, [vals.length], vals).data);
}

/** Values on a 2^-8 grid (never 0): sums of two are exact in float16 and wider, so a residual sum is the same number in every dtype. */
const onGrid = (vals: readonly number[]) => vals.map((v) => Math.round(v * 256) / 256 || 1 / 256);

/** The inputs of a built norm graph: x, and skip when the form has one (both on the grid). */
export function normFeeds(c: NormCase, form: NormCommon, p: Precision = {}): Map<string, Tensor> {
  const dtype = p.float64 ? 'float64' : c.dtype;
  const hasSkip = (form.skip ?? 'none') !== 'none';
  const random = (seed: number) => (hasSkip ? onGrid(values(seed, size(c.shape))) : values(seed, size(c.shape)));
  const feeds = new Map([['x', tensor(dtype, c.dtype, c.shape, random(c.seed))]]);
  if (hasSkip) feeds.set('skip', tensor(dtype, c.dtype, c.shape, random(c.seed + 2)));
  return feeds;
}

class NormBuilder {
  readonly b: GraphBuilder;
  readonly dtype: DType;
  readonly rank: number;
  /** The dtype the cluster computes in, and the one its constants are rounded to. */
  readonly compute: DType;
  readonly computeStorage: DType;

  constructor(readonly c: NormCase, readonly form: NormCommon, p: Precision, name: string, computeIn?: DType) {
    this.b = new GraphBuilder(name);
    this.dtype = p.float64 ? 'float64' : c.dtype;
    this.rank = c.shape.length;
    this.computeStorage = computeIn ?? c.dtype;
    this.compute = p.float64 ? 'float64' : this.computeStorage;
  }

  const(name: string, shape: readonly number[], vals: readonly number[], storage = this.c.dtype, dtype = this.dtype): string {
    return this.b.initializer(name, tensor(dtype, storage, shape, vals));
  }

  /** x, or x + skip. */
  input(): { x: string; sum?: string } {
    const x = this.b.input('x', this.dtype, this.c.shape);
    if ((this.form.skip ?? 'none') === 'none') return { x };
    const skip = this.b.input('skip', this.dtype, this.c.shape);
    const [sum] = this.b.node('Add', [x, skip], {}, { name: 'residual' });
    return { x: sum!, sum: sum! };
  }

  weightShape(): number[] {
    const inner = this.c.shape.slice(this.rank + this.c.axis);
    return inner.slice(Math.min(this.c.weightDrop, inner.length - 1));
  }

  /** ReduceMean over the normalized dims (or the override), axes as attribute or input. */
  mean(of: string, name: string, axes = this.form.reduceAxes): string {
    const reduced = axes ?? Array.from({ length: -this.c.axis }, (_, i) => this.c.axis + i);
    if ((this.form.axesAs ?? 'input') === 'attribute') return this.b.node('ReduceMean', [of], { axes: reduced, keepdims: 1 }, { name })[0]!;
    const axesInit = this.b.initializer(`${name}_axes`, makeTensor('int64', [reduced.length], reduced));
    return this.b.node('ReduceMean', [of, axesInit], { keepdims: 1 }, { name })[0]!;
  }

  square(of: string, how: 'pow' | 'mul'): string {
    if (how === 'mul') return this.b.node('Mul', [of, of], {}, { name: 'square' })[0]!;
    const two = this.const('exponent', [], [this.form.exponent ?? 2], this.computeStorage, this.compute);
    return this.b.node('Pow', [of, two], {}, { name: 'square' })[0]!;
  }

  /** mean + eps, eps stored in the compute dtype (as exporters do). */
  plusEps(mean: string): string {
    const shape = this.form.epsShape ?? [];
    const eps = this.const('eps', shape, new Array(size(shape)).fill(this.c.epsilon), this.computeStorage, this.compute);
    return this.b.node('Add', [mean, eps], {}, { name: 'add_eps' })[0]!;
  }

  /** The norm's output, and the residual sum too when the form exposes it (as the next block's residual). */
  finish(y: string, sum: string | undefined): Graph {
    this.b.output(y);
    if (this.form.skip === 'exposed') this.b.output(sum!);
    return this.b.build();
  }
}

/** x / √(mean(x²) + eps) · w in the requested form. */
export function rmsNormGraph(c: NormCase, form: RmsForm, p: Precision = {}): Graph {
  const nb = new NormBuilder(c, form, p, 'rms-norm', form.compute);
  const { b, compute } = nb;
  const { x, sum } = nb.input();
  const xc = form.compute === undefined ? x : b.node('Cast', [x], { to: onnxCode(compute) }, { name: 'cast_up' })[0]!;
  const ms = nb.plusEps(nb.mean(nb.square(xc, form.square ?? 'pow'), 'mean'));
  const [root] = b.node('Sqrt', [ms], {}, { name: 'sqrt' });
  let normalized: string;
  switch (form.inverse ?? 'reciprocal') {
    case 'reciprocal': normalized = b.node('Mul', [xc, b.node('Reciprocal', [root!], {}, { name: 'inverse' })[0]!], {}, { name: 'scale' })[0]!; break;
    case 'div-one': normalized = b.node('Mul', [xc, b.node('Div', [nb.const('one', [], [1], nb.computeStorage, compute), root!], {}, { name: 'inverse' })[0]!], {}, { name: 'scale' })[0]!; break;
    case 'div': normalized = b.node('Div', [xc, root!], {}, { name: 'scale' })[0]!; break;
  }
  const back = form.compute === undefined ? normalized : b.node('Cast', [normalized], { to: onnxCode(nb.dtype) }, { name: 'cast_down' })[0]!;
  const wShape = nb.weightShape();
  let w = nb.const('w', wShape, values(c.seed + 1, size(wShape)));
  if (form.offset) w = b.node('Add', [nb.const('offset_one', [], [1]), w], {}, { name: 'one_plus_w' })[0]!;
  const [y] = b.node('Mul', form.weightFirst ? [w, back] : [back, w], {}, { name: 'weight' });
  return nb.finish(y!, sum);
}

/** (x - mean) / √(var + eps) · w (+ b), decomposed or as LayerNormalization. */
export function layerNormGraph(c: NormCase, form: LayerNormForm, p: Precision = {}): Graph {
  const nb = new NormBuilder(c, form, p, 'layer-norm');
  const { b } = nb;
  const { x, sum } = nb.input();
  const wShape = nb.weightShape();
  const w = nb.const('w', wShape, values(c.seed + 1, size(wShape)));
  const bias = form.bias ? nb.const('b', wShape, values(c.seed + 3, size(wShape))) : undefined;
  if (form.op) {
    const [y] = b.node('LayerNormalization', bias === undefined ? [x, w] : [x, w, bias], { axis: c.axis, epsilon: Math.fround(c.epsilon) }, { name: 'layer_norm' });
    return nb.finish(y!, sum);
  }
  const [d] = b.node('Sub', [x, nb.mean(x, 'mean')], {}, { name: 'center' });
  const variance = nb.mean(nb.square(d!, form.square ?? 'pow'), 'variance', form.varianceAxes ?? form.reduceAxes);
  const [dev] = b.node('Sqrt', [nb.plusEps(variance)], {}, { name: 'sqrt' });
  const [normalized] = form.divide === 'reciprocal'
    ? b.node('Mul', [d!, b.node('Reciprocal', [dev!], {}, { name: 'inverse' })[0]!], {}, { name: 'scale' })
    : b.node('Div', [d!, dev!], {}, { name: 'scale' });
  const [scaled] = b.node('Mul', [normalized!, w], {}, { name: 'weight' });
  const y = bias === undefined ? scaled! : b.node('Add', [scaled!, bias], {}, { name: 'bias' })[0]!;
  return nb.finish(y, sum);
}
