// ONNX external data: tensor bytes kept in a file beside the model, located by
// (location, offset, length) entries. The location is untrusted input: it must name a
// file inside the model's folder, and the range must lie inside that file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SolderError } from '../errors.js';
import type { LazyBytes } from '../graph.js';

export interface ExternalRef {
  readonly location: string;
  readonly offset: number;
  readonly length: number;
}

const KEEP_READ_BYTES = 64 * 1024;

/** Resolves and checks external data files for one model, remembering each file's size. */
export class ExternalData {
  private readonly sizes = new Map<string, number>();
  /** Checked file paths by location: every initializer of a model usually names the same file. */
  private readonly files = new Map<string, string>();

  constructor(
    private readonly baseDir: string | undefined,
    /** Named in errors from reads that happen after import. */
    private readonly modelFile: string,
  ) {}

  /** Checks a tensor's external reference now and returns bytes that read it later. */
  lazyBytes(tensor: string, entries: ReadonlyMap<string, string>, expectedLength: number): { ref: ExternalRef; bytes: LazyBytes } {
    const location = entries.get('location');
    if (location === undefined || location === '') {
      throw new SolderError(`initializer '${tensor}' has external data without a location`);
    }
    const offset = parseCount(entries.get('offset') ?? '0', tensor, 'offset');
    const length = parseCount(entries.get('length') ?? String(expectedLength), tensor, 'length');
    if (length !== expectedLength) {
      throw new SolderError(`initializer '${tensor}' has external data of ${length} bytes, its shape needs ${expectedLength}`);
    }
    const file = this.resolve(tensor, location);
    const size = this.sizeOf(tensor, file, location);
    if (offset + length > size) {
      throw new SolderError(
        `initializer '${tensor}': external data ${location} holds ${size} bytes, the tensor needs bytes ${offset} to ${offset + length}`,
      );
    }
    const ref = { location, offset, length };
    // Small tensors (shape vectors, norm weights) are read by several passes: read them once.
    // Large ones are read again each time, so that weights stay on disk between uses.
    let kept: Uint8Array | undefined;
    const read = () => readRange(file, ref, tensor, this.modelFile);
    return { ref, bytes: { byteLength: length, read: length <= KEEP_READ_BYTES ? () => (kept ??= read()) : read } };
  }

  private resolve(tensor: string, location: string): string {
    const known = this.files.get(location);
    if (known !== undefined) return known;
    const file = this.check(tensor, location);
    this.files.set(location, file);
    return file;
  }

  private check(tensor: string, location: string): string {
    if (this.baseDir === undefined) {
      throw new SolderError(`initializer '${tensor}' has external data (${location}) but the model was given as bytes without a folder`);
    }
    const outside = () =>
      new SolderError(`initializer '${tensor}': external data location '${location}' points outside the model's folder; only files beside the model are read`);
    if (path.isAbsolute(location) || path.win32.isAbsolute(location) || location.includes('\0')) throw outside();
    const base = path.resolve(this.baseDir);
    const file = path.resolve(base, location);
    if (!isInside(base, file)) throw outside();
    // A symlink inside the folder may still point elsewhere.
    try {
      if (!isInside(fs.realpathSync(base), fs.realpathSync(file))) throw outside();
    } catch (e) {
      if (e instanceof SolderError) throw e;
      throw new SolderError(`initializer '${tensor}': cannot open external data file ${location} (${errnoOf(e)})`);
    }
    return file;
  }

  private sizeOf(tensor: string, file: string, location: string): number {
    const known = this.sizes.get(file);
    if (known !== undefined) return known;
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch (e) {
      throw new SolderError(`initializer '${tensor}': cannot open external data file ${location} (${errnoOf(e)})`);
    }
    if (!stat.isFile()) throw new SolderError(`initializer '${tensor}': external data ${location} is not a file`);
    this.sizes.set(file, stat.size);
    return stat.size;
  }
}

function isInside(base: string, file: string): boolean {
  const rel = path.relative(base, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function parseCount(text: string, tensor: string, what: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n)) throw new SolderError(`initializer '${tensor}' has an invalid external data ${what} '${text}'`);
  return n;
}

function readRange(file: string, ref: ExternalRef, tensor: string, modelFile: string): Uint8Array {
  const out = new Uint8Array(ref.length);
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    let done = 0;
    while (done < ref.length) {
      const n = fs.readSync(fd, out, done, ref.length - done, ref.offset + done);
      if (n === 0) throw new SolderError(`initializer '${tensor}': external data ${ref.location} ended early (was it changed?)`, { file: modelFile });
      done += n;
    }
    return out;
  } catch (e) {
    if (e instanceof SolderError) throw e;
    throw new SolderError(`initializer '${tensor}': cannot read external data ${ref.location} (${errnoOf(e)})`, { file: modelFile });
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function errnoOf(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? String(e);
}
