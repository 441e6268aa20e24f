// Op spec: solder::AllReduce, the collective a tensor-parallel rank graph needs
// (passes/shard/). Every rank holds a partial sum of the same shape; after the
// op each rank holds the elementwise sum over all `ranks` participants.
// The GPU runtime implements it with NCCL all_reduce(sum); on the CPU, one graph
// alone cannot see the other ranks, so passes/shard/simulate.ts runs the ranks in
// lockstep and sums at each AllReduce.
import { attr } from '../attrs.js';
import { SOLDER_DOMAIN } from '../graph.js';
import { inputType, opError } from './shape-util.js';
import { defineOp } from './spec.js';

export const ALL_REDUCE_REDUCTIONS = ['sum'] as const;

export const AllReduce = defineOp({
  domain: SOLDER_DOMAIN,
  name: 'AllReduce',
  inputs: [{ name: 'x' }],
  outputs: [{ name: 'y' }],
  attrs: { reduction: attr.string.default('sum'), ranks: attr.int.default(1) },
  doc: 'Elementwise sum of x over the `ranks` tensor-parallel ranks; every rank receives the sum.',
  infer: (ctx) => {
    const { reduction, ranks } = ctx.attrs;
    if (!(ALL_REDUCE_REDUCTIONS as readonly string[]).includes(reduction)) {
      throw opError(ctx.node, `reduction must be ${ALL_REDUCE_REDUCTIONS.join(' or ')}, found '${reduction}'`);
    }
    if (!Number.isInteger(ranks) || ranks < 1) throw opError(ctx.node, `ranks must be a positive integer, found ${ranks}`);
    return [inputType(ctx, 0)];
  },
});
