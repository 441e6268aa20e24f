// Reference kernel: solder::AllReduce (semantics in ir/ops/collective.ts).
// Alone, a rank sees only itself: the sum over one rank is the identity. A graph
// with ranks > 1 computes a partial sum there, so it is refused rather than run to
// a silently wrong answer; passes/shard/simulate.ts runs such graphs together.
import { AllReduce } from '../../../ir/ops/collective.js';
import { opError } from '../../../ir/ops/shape-util.js';
import { defineKernel } from '../kernel.js';
import { requiredInput } from './fused/read.js';

defineKernel(AllReduce, (inputs, attrs, node) => {
  const x = requiredInput(inputs, 0, node, 'x');
  if (attrs.ranks !== 1) {
    throw opError(node, `AllReduce over ${attrs.ranks} ranks needs every rank's partial sum: run the rank graphs together (passes/shard/simulate.ts runTensorParallel)`);
  }
  return [{ dtype: x.dtype, shape: [...x.shape], data: x.data.slice() }];
});
