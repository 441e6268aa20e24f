// Synchronous random access to the entries of a zip archive, on top of yauzl.
// The importer is synchronous (load() returns a Graph), so yauzl runs over a reader whose
// reads complete before their callback returns; every yauzl callback then fires before the
// call that started it returns, and a callback that has not fired means a malformed archive
// (yauzl defers only its zero-length reads). Each read opens and closes the file, so a graph
// whose weights are never read holds no file descriptor.
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import type * as Yauzl from 'yauzl';
import { yauzl as loadYauzl } from '../../cjs.js';
import { SolderError } from '../../errors.js';

// This module is loaded for .pt2 archives only, so yauzl is loaded with it.
const yauzl = loadYauzl();

const STORED = 0;
const DEFLATED = 8;
// The end-of-central-directory record alone is 22 bytes.
const SMALLEST_ZIP = 22;

export interface ZipEntry {
  readonly name: string;
  /** Size of the entry's contents once decompressed. */
  readonly size: number;
}

/** An opened zip archive: its entry list, and reads of single entries on demand. */
export interface ZipArchive {
  readonly file: string;
  readonly entries: ReadonlyMap<string, ZipEntry>;
  /** The full contents of one entry (decompressed). */
  read(name: string): Uint8Array;
}

/** A yauzl reader over a file path; each read is a synchronous open/read/close. */
class SyncFileReader extends yauzl.RandomAccessReader {
  constructor(private readonly path: string) {
    super();
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null, bytesRead?: number) => void): void {
    let bytesRead: number;
    try {
      bytesRead = this.readInto(buffer, offset, length, position);
    } catch (e) {
      callback(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    callback(null, bytesRead);
  }

  /** Exactly `length` bytes at `position`; throws at the end of the file. */
  readExactly(position: number, length: number): Buffer {
    const out = Buffer.alloc(length);
    const got = this.readInto(out, 0, length, position);
    if (got !== length) throw new SolderError(`the archive ends ${length - got} bytes early (truncated?)`);
    return out;
  }

  private readInto(buffer: Buffer, offset: number, length: number, position: number): number {
    const fd = fs.openSync(this.path, 'r');
    try {
      let done = 0;
      while (done < length) {
        const n = fs.readSync(fd, buffer, offset + done, length - done, position + done);
        if (n === 0) break;
        done += n;
      }
      return done;
    } finally {
      fs.closeSync(fd);
    }
  }

  override _readStreamForRange(): never {
    throw new Error('SyncFileReader reads through read() only');
  }

  override close(callback: (err: Error | null) => void): void {
    callback(null);
  }
}

/** Runs a yauzl call that takes a callback, and returns its result; it must answer at once. */
function answerNow<T>(what: string, start: (callback: (err: Error | null, value?: T) => void) => void): T {
  let done = false;
  let error: Error | null = null;
  let result: T | undefined;
  start((err, value) => {
    done = true;
    error = err;
    result = value;
  });
  if (!done) throw new SolderError(`not a valid zip archive (${what} did not complete)`);
  if (error !== null) throw new SolderError(`not a valid zip archive (truncated or damaged?): ${(error as Error).message}`);
  return result as T;
}

/** Opens a zip archive and reads its central directory; entry contents are read on demand. */
export function openZip(file: string): ZipArchive {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (e) {
    throw new SolderError(`cannot read archive: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { file });
  }
  try {
    if (size < SMALLEST_ZIP) throw new SolderError(`not a zip archive (${size} bytes)`);
    const reader = new SyncFileReader(file);
    const zip = answerNow<Yauzl.ZipFile>('reading the directory', (cb) =>
      yauzl.fromRandomAccessReader(reader, size, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, cb));
    const entries = readDirectory(zip);
    const byName = new Map<string, ZipEntry>();
    for (const e of entries.values()) byName.set(e.fileName, { name: e.fileName, size: e.uncompressedSize });
    return { file, entries: byName, read: (name) => readEntry(zip, reader, entries, name, file) };
  } catch (e) {
    throw e instanceof SolderError ? e.inFile(file) : e;
  }
}

function readDirectory(zip: Yauzl.ZipFile): Map<string, Yauzl.Entry> {
  const entries = new Map<string, Yauzl.Entry>();
  let seen = 0;
  let failure: Error | undefined;
  zip.on('entry', (e: Yauzl.Entry) => {
    seen++;
    entries.set(e.fileName, e);
  });
  zip.on('error', (err: Error) => {
    failure = err;
  });
  for (let i = 0; i < zip.entryCount; i++) {
    zip.readEntry();
    if (failure !== undefined) throw new SolderError(`not a valid zip archive (truncated or damaged?): ${failure.message}`);
    if (seen !== i + 1) throw new SolderError(`not a valid zip archive (entry ${i} of ${zip.entryCount} could not be read)`);
  }
  return entries;
}

function readEntry(zip: Yauzl.ZipFile, reader: SyncFileReader, entries: ReadonlyMap<string, Yauzl.Entry>, name: string, file: string): Uint8Array {
  const entry = entries.get(name);
  if (entry === undefined) throw new SolderError(`archive has no entry '${name}'`, { file });
  try {
    if (entry.isEncrypted()) throw new SolderError('the entry is encrypted');
    const header = answerNow<{ fileDataStart: number }>('reading the entry header', (cb) =>
      zip.readLocalFileHeader(entry, { minimal: true }, cb));
    const raw = reader.readExactly(header.fileDataStart, entry.compressedSize);
    const data = decompress(entry, raw);
    if (data.byteLength !== entry.uncompressedSize) {
      throw new SolderError(`holds ${data.byteLength} bytes, the directory says ${entry.uncompressedSize}`);
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } catch (e) {
    if (e instanceof SolderError) throw new SolderError(`entry '${name}': ${e.message}`, { file });
    throw e;
  }
}

function decompress(entry: Yauzl.Entry, raw: Buffer): Buffer {
  if (entry.compressionMethod === STORED) return raw;
  if (entry.compressionMethod !== DEFLATED) {
    throw new SolderError(`unsupported compression method ${entry.compressionMethod} (only stored and deflated)`);
  }
  try {
    return zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
  } catch (e) {
    throw new SolderError(`cannot inflate: ${(e as Error).message}`);
  }
}
