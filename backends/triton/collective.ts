// Collectives in a tensor-parallel rank plan: solder::AllReduce (passes/shard/) becomes an
// `all_reduce` launch that the runtime hands to torch.distributed (NCCL on the GPU), summing
// its buffer in place across the ranks. NCCL needs one contiguous tensor, and writing in
// place is only safe when nothing else reads the partial sum, so anything else is first
// copied into a buffer of its own.
import { SolderError } from '../../ir/errors.js';
import type { Node } from '../../ir/graph.js';
import { AllReduce } from '../../ir/ops/collective.js';
import { readAttrs } from '../../ir/ops/spec.js';
import type { Lowering } from './lower.js';
import { provenance } from './sanitize.js';
import { type View, isContiguous } from './views.js';

export const ALL_REDUCE_KERNEL = 'all_reduce';

/** Lowers one solder::AllReduce to an in-place all_reduce launch; its output is the same buffer. */
export function lowerCollective(L: Lowering, node: Node): void {
  if (node.op !== 'AllReduce') throw new SolderError('no collective launch for this op', { node: node.name, op: node.op });
  const { reduction, ranks } = readAttrs(AllReduce, node);
  const [partial, sum] = [node.inputs[0]!, node.outputs[0]!];
  const tensor = ownedBuffer(L, partial);
  L.push({
    kernel: ALL_REDUCE_KERNEL,
    name: provenance(node.name),
    args: { tensor: { view: tensor } },
    attrs: { op: reduction, world_size: ranks },
  });
  L.setStored(sum, tensor);
}

// The partial sum's buffer when the all-reduce may overwrite it, else a fresh copy.
function ownedBuffer(L: Lowering, partial: string): View {
  const view = L.stored(partial, 'contiguous');
  const soleReader = L.consumersOf(partial).length === 1 && !L.isGraphOutput(partial);
  if (view.source.kind === 'buffer' && isContiguous(view) && soleReader) return view;
  const copy = L.newBuffer(`${partial}.reduced`, L.shape(partial), view.dtype);
  L.pointwise(`copy of ${provenance(partial)} for all_reduce`, copy, (k, idx, mask) => k.valueAt(partial, idx, mask));
  return copy;
}
