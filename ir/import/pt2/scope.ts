// What FX names mean while one serialized graph (the program, or an inlined subgraph) is lowered.
import type { TensorType } from '../../types.js';
import { staticOfSymInt, typeOfMeta } from './meta.js';
import type { SerializedGraph } from './schema.js';

export class Scope {
  private readonly values = new Map<string, string>();

  constructor(readonly graph: SerializedGraph) {}

  /** The FX name now stands for this IR value (an in-place op rebinds its input). */
  bind(fxName: string, irValue: string): void {
    this.values.set(fxName, irValue);
  }

  lookup(fxName: string): string | undefined {
    return this.values.get(fxName);
  }

  /** The export's type of a tensor value, from its metadata. */
  tensorType(fxName: string): TensorType | undefined {
    const meta = this.graph.tensor_values[fxName];
    return meta === undefined ? undefined : typeOfMeta(meta);
  }

  /** The value of a SymInt that the export specialised to a constant. */
  staticSymInt(fxName: string): number | undefined {
    const s = this.graph.sym_int_values?.[fxName];
    return s === undefined ? undefined : staticOfSymInt(s);
  }
}
