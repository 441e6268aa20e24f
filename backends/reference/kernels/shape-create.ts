// Reference kernels: Constant, ConstantOfShape, Shape, Size, Range, EyeLike.
import { Constant, ConstantOfShape, EyeLike, Range, Shape, Size, constantValue, eyeLikeDType, rangeLength, shapeRange } from '../../../ir/ops/shape-create.js';
import { scalarValue } from '../../../ir/ops/shape-inputs.js';
import { opError } from '../../../ir/ops/shape-util.js';
import { allocData, makeTensor, numel } from '../../../ir/tensor.js';
import { defineKernel } from '../kernel.js';
import { required, valuesOf } from './args.js';

defineKernel(Constant, (_inputs, attrs, node) => {
  const t = constantValue(node, attrs);
  return [{ dtype: t.dtype, shape: [...t.shape], data: t.data.slice() }];
});

defineKernel(ConstantOfShape, (inputs, attrs, node) => {
  const shape = valuesOf(required(inputs, 0, node));
  if (shape.some((d) => d < 0)) throw opError(node, `shape [${shape.join(', ')}] has a negative dim`);
  const dtype = attrs.value?.dtype ?? 'float32';
  const data = allocData(dtype, numel(shape));
  data.fill(attrs.value?.data[0] ?? 0);
  return [{ dtype, shape, data }];
});

defineKernel(Shape, (inputs, attrs, node) => {
  const shape = required(inputs, 0, node).shape;
  const [s, e] = shapeRange(shape.length, attrs.start, attrs.end);
  const dims = shape.slice(s, e);
  return [makeTensor('int64', [dims.length], dims)];
});

defineKernel(Size, (inputs, _attrs, node) => [makeTensor('int64', [], [numel(required(inputs, 0, node).shape)])]);

defineKernel(Range, (inputs, _attrs, node) => {
  const scalar = (i: number, what: string) => scalarValue(node, required(inputs, i, node), what);
  const [start, limit, delta] = [scalar(0, 'start'), scalar(1, 'limit'), scalar(2, 'delta')];
  const n = rangeLength(node, start, limit, delta);
  const values = Array.from({ length: n }, (_, i) => start + i * delta);
  return [makeTensor(required(inputs, 0, node).dtype, [n], values)];
});

defineKernel(EyeLike, (inputs, attrs, node) => {
  const x = required(inputs, 0, node);
  if (x.shape.length !== 2) throw opError(node, `input must be 2-D, found [${x.shape.join(', ')}]`);
  const [rows, cols] = x.shape as [number, number];
  const out = makeTensor(eyeLikeDType(node, attrs.dtype, x.dtype), [rows, cols]);
  for (let r = 0; r < rows; r++) {
    const c = r + attrs.k;
    if (c >= 0 && c < cols) out.data[r * cols + c] = 1;
  }
  return [out];
});
