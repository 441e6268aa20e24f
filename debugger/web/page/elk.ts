// elkjs's layered layout, run in elkjs's own Web Worker so the page never blocks on it.
// We speak the worker's message protocol directly ({id, cmd} in, {id, data|error} out).

export interface ElkPoint { readonly x: number; readonly y: number }

export interface ElkEdgeSection {
  readonly startPoint: ElkPoint;
  readonly endPoint: ElkPoint;
  readonly bendPoints?: readonly ElkPoint[];
}

export interface ElkEdge {
  readonly id: string;
  readonly sources: readonly string[];
  readonly targets: readonly string[];
  readonly sections?: readonly ElkEdgeSection[];
}

export interface ElkNode {
  readonly id: string;
  readonly width?: number;
  readonly height?: number;
  readonly x?: number;
  readonly y?: number;
  readonly children?: readonly ElkNode[];
  readonly edges?: readonly ElkEdge[];
  readonly layoutOptions?: Readonly<Record<string, string>>;
}

const WARM_UP: ElkNode = {
  id: 'warm-up',
  layoutOptions: { 'elk.algorithm': 'layered' },
  children: [{ id: 'a', width: 10, height: 10 }, { id: 'b', width: 10, height: 10 }],
  edges: [{ id: 'e', sources: ['a'], targets: ['b'] }],
};

interface Pending {
  resolve(graph: ElkNode): void;
  reject(e: Error): void;
}

export class ElkClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(workerUrl: string) {
    this.worker = new Worker(workerUrl);
    this.worker.onmessage = (event: MessageEvent<{ id: number; data?: ElkNode; error?: unknown }>) => {
      const { id, data, error } = event.data;
      const p = this.pending.get(id);
      if (p === undefined) return;
      this.pending.delete(id);
      if (error !== undefined) p.reject(new Error(`elk layout failed: ${describe(error)}`));
      else p.resolve(data as ElkNode);
    };
    this.worker.onerror = (event) => {
      for (const p of this.pending.values()) p.reject(new Error(`elk worker: ${event.message}`));
      this.pending.clear();
    };
    void this.send({ cmd: 'register', algorithms: ['layered'] });
    // The worker's first layout pays for compiling elkjs; pay it while the graph downloads.
    void this.layout(WARM_UP).catch(() => undefined);
  }

  /** Lays out a flat graph of fixed-size boxes; resolves with positions and edge routes. */
  layout(graph: ElkNode): Promise<ElkNode> {
    return this.send({ cmd: 'layout', graph, layoutOptions: {}, options: {} });
  }

  private send(message: Record<string, unknown>): Promise<ElkNode> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id });
    });
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}
