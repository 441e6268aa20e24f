// Graph -> ONNX file. Large initializers go to one external data file beside the model;
// both files are written under temporary names and renamed into place, so that a failure
// never leaves a half-written model behind.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SolderError } from '../errors.js';
import type { Graph } from '../graph.js';
import { type PlaceInitializer, encodeModel, inline } from './onnx-encode.js';

export interface ExportOnnxOptions {
  /** Initializers of more than this many bytes go to the external data file (default 1024). */
  readonly externalDataThreshold?: number;
}

const DEFAULT_THRESHOLD = 1024;
// Page-aligned offsets let a runtime map each tensor straight from the file.
const ALIGNMENT = 4096;
const EXTERNAL = 1;

/** The model as ONNX bytes with every initializer inline (for small models and tests). */
export function encodeOnnx(graph: Graph): Uint8Array {
  return encodeModel(graph, inline);
}

/**
 * Writes `outFile`, and `<basename>.data` beside it when some initializer exceeds the threshold.
 * Writing over the model a graph was imported from replaces the external data its lazy
 * initializers point at: re-import the written file rather than keep using the old graph.
 */
export function exportOnnx(graph: Graph, outFile: string, options: ExportOnnxOptions = {}): void {
  const threshold = options.externalDataThreshold ?? DEFAULT_THRESHOLD;
  const dataFile = `${outFile}.data`;
  const location = path.basename(dataFile);
  const suffix = `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const data = new ExternalDataWriter(dataFile + suffix, location);
  const tmpModel = outFile + suffix;
  try {
    const place: PlaceInitializer = (init, bytes) => (bytes.byteLength > threshold ? data.append(bytes) : { rawData: bytes });
    const model = encodeModel(graph, place);
    data.close();
    fs.writeFileSync(tmpModel, model);
    // Data first: once the model is renamed into place, the data it points at is there.
    if (data.used) fs.renameSync(data.file, dataFile);
    fs.renameSync(tmpModel, outFile);
  } catch (e) {
    data.close();
    removeQuietly(data.file);
    removeQuietly(tmpModel);
    if (e instanceof SolderError) throw e.inFile(outFile);
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined) throw new SolderError(`cannot write ONNX model (${code})`, { file: outFile });
    throw e;
  }
}

class ExternalDataWriter {
  private fd: number | undefined;
  private end = 0;
  used = false;

  constructor(
    readonly file: string,
    private readonly location: string,
  ) {}

  append(bytes: Uint8Array) {
    this.fd ??= fs.openSync(this.file, 'w');
    this.used = true;
    const offset = Math.ceil(this.end / ALIGNMENT) * ALIGNMENT;
    for (let done = 0; done < bytes.byteLength; ) {
      done += fs.writeSync(this.fd, bytes, done, bytes.byteLength - done, offset + done);
    }
    this.end = offset + bytes.byteLength;
    return {
      dataLocation: EXTERNAL,
      externalData: [
        { key: 'location', value: this.location },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(bytes.byteLength) },
      ],
    };
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // Nothing to clean up, or it cannot be removed; the original error matters more.
  }
}
