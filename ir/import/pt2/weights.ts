// Parameters, buffers and tensor constants: raw little-endian tensor storages in the archive
// (data/weights/*, data/constants/*), described by a payload config. Each becomes an
// initializer whose bytes are read from the zip only when asked for, honouring the recorded
// sizes, strides and storage offset (a transposed or sliced view is materialised densely).
import { byteSize } from '../../dtype.js';
import { SolderError } from '../../errors.js';
import type { Initializer, LazyBytes } from '../../graph.js';
import { numel } from '../../tensor.js';
import { dtypeOfScalarType, staticOfSymInt } from './meta.js';
import type { PayloadMeta, SymInt } from './schema.js';
import type { ZipArchive } from './zip.js';

/** Where a payload lives and what it is called, for the initializer and for error messages. */
export interface PayloadRef {
  /** The archive entry holding the storage bytes. */
  readonly entry: string;
  /** The initializer's name (the parameter's or buffer's qualified name). */
  readonly name: string;
  /** The graph placeholder bound to it, named in errors. */
  readonly placeholder: string;
}

/** An initializer that reads its payload lazily; sizes are checked now, against the zip directory. */
export function payloadInitializer(archive: ZipArchive, ref: PayloadRef, meta: PayloadMeta): Initializer {
  const place = { file: archive.file, node: ref.placeholder };
  if (meta.use_pickle === true) {
    throw new SolderError(`'${ref.name}' is a pickled object (a tensor subclass or custom object), which solder cannot read`, place);
  }
  const tm = meta.tensor_meta;
  if (tm === undefined || tm === null) throw new SolderError(`'${ref.name}' has no tensor metadata in its payload config`, place);
  let dtype;
  try {
    dtype = dtypeOfScalarType(tm.dtype);
  } catch (e) {
    throw e instanceof SolderError ? new SolderError(`'${ref.name}': ${e.message}`, place) : e;
  }
  const shape = staticInts(tm.sizes, ref, 'sizes', place);
  const strides = staticInts(tm.strides, ref, 'strides', place);
  const [offset] = staticInts([tm.storage_offset], ref, 'storage offset', place) as [number];
  if (strides.length !== shape.length || strides.some((s) => s < 0) || offset < 0) {
    throw new SolderError(`'${ref.name}' has malformed strides or storage offset`, place);
  }
  const elementBytes = byteSize(dtype);
  const count = numel(shape);
  const needed = count === 0 ? 0 : (offset + shape.reduce((acc, d, i) => acc + (d - 1) * (strides[i] as number), 0) + 1) * elementBytes;
  const entry = archive.entries.get(ref.entry);
  if (entry === undefined) throw new SolderError(`'${ref.name}': the archive has no weight file '${ref.entry}'`, place);
  if (entry.size < needed || entry.size % elementBytes !== 0) {
    throw new SolderError(
      `weight file '${ref.entry}' holds ${entry.size} bytes, but '${ref.name}' (${dtype}[${shape.join(', ')}]) needs ${needed}`,
      place,
    );
  }
  const view: StridedView = { shape, strides, offset, elementBytes };
  const bytes: LazyBytes = {
    byteLength: count * elementBytes,
    read: () => {
      let storage: Uint8Array;
      try {
        storage = archive.read(ref.entry);
      } catch (e) {
        throw e instanceof SolderError ? new SolderError(`cannot read '${ref.name}': ${stripFile(e.message, archive.file)}`, place) : e;
      }
      if (storage.byteLength < needed) {
        throw new SolderError(`weight file '${ref.entry}' changed since import: it now holds ${storage.byteLength} bytes`, place);
      }
      return materialise(storage, view);
    },
  };
  return { name: ref.name, dtype, shape, bytes, origin: { kind: 'external', location: ref.entry } };
}

function stripFile(message: string, file: string): string {
  return message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message;
}

function staticInts(values: readonly SymInt[], ref: PayloadRef, what: string, place: { file: string; node: string }): number[] {
  return values.map((v) => {
    const n = staticOfSymInt(v);
    if (n === undefined) throw new SolderError(`'${ref.name}' has symbolic ${what}, which a stored tensor cannot have`, place);
    return n;
  });
}

export interface StridedView {
  readonly shape: readonly number[];
  /** In elements, as torch records them. */
  readonly strides: readonly number[];
  readonly offset: number;
  readonly elementBytes: number;
}

/** The dense row-major bytes of a strided view into a storage. */
export function materialise(storage: Uint8Array, view: StridedView): Uint8Array {
  const { shape, strides, offset, elementBytes } = view;
  const count = numel(shape);
  if (isRowMajor(shape, strides)) {
    return storage.subarray(offset * elementBytes, (offset + count) * elementBytes);
  }
  const out = new Uint8Array(count * elementBytes);
  const index = new Array<number>(shape.length).fill(0);
  let source = offset;
  for (let i = 0; i < count; i++) {
    out.set(storage.subarray(source * elementBytes, (source + 1) * elementBytes), i * elementBytes);
    // Odometer increment of the multi-index, keeping the storage position in step.
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      index[axis] = (index[axis] as number) + 1;
      source += strides[axis] as number;
      if ((index[axis] as number) < (shape[axis] as number)) break;
      source -= (shape[axis] as number) * (strides[axis] as number);
      index[axis] = 0;
    }
  }
  return out;
}

// Strides of size-1 dims do not matter for the layout.
function isRowMajor(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const d = shape[axis] as number;
    if (d !== 1 && strides[axis] !== expected) return false;
    expected *= d;
  }
  return true;
}
