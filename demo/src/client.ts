/** The page's side of the inference worker: promises over postMessage, a crash rejects what is pending. */
import type { DemoPipelineOptions, DemoTask, Reply, Request, WireTensor } from './protocol.js';

type Pending = { resolve: (r: Reply) => void; reject: (e: Error) => void };
type Body<K extends Request['kind']> = Omit<Extract<Request, { kind: K }>, 'id'>;

export class InferenceWorker {
  private worker: Worker | undefined;
  private next = 1;
  private readonly pending = new Map<number, Pending>();
  onProgress?: (p: Extract<Reply, { kind: 'progress' }>) => void;

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    w.onmessage = (e: MessageEvent<Reply>) => {
      const r = e.data;
      if (r.ok && r.kind === 'progress') { this.onProgress?.(r); return; }
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r); else p.reject(new Error(r.error));
    };
    // A crashed worker fails every pending request; the next request starts a fresh one.
    w.onerror = (e) => {
      e.preventDefault();
      const err = new Error(`inference worker crashed: ${e.message || 'unknown error'}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      w.terminate();
      this.worker = undefined;
    };
    this.worker = w;
    return w;
  }

  private send<K extends Request['kind']>(body: Body<K>, transfer: Transferable[] = []): Promise<Reply> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.start().postMessage({ ...body, id }, transfer);
    });
  }

  async create(key: string, model: ArrayBuffer | string, backend: string, threads: number) {
    const r = await this.send<'create'>({ kind: 'create', key, model, backend, threads }, typeof model === 'string' ? [] : [model]);
    return r as Extract<Reply, { kind: 'created' }>;
  }

  async pipeline(key: string, task: DemoTask, model: ArrayBuffer | string, backend: string, threads: number, options: DemoPipelineOptions) {
    const transfer = [model, options.labels, options.tokenizer].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
    const r = await this.send<'pipeline'>({ kind: 'pipeline', key, task, model, backend, threads, options }, transfer);
    return r as Extract<Reply, { kind: 'created' }>;
  }

  async infer(key: string, input: Extract<Request, { kind: 'infer' }>['input']) {
    const transfer = 'image' in input ? [input.image.data.buffer as ArrayBuffer] : [];
    const r = await this.send<'infer'>({ kind: 'infer', key, input }, transfer);
    return r as Extract<Reply, { kind: 'inferred' }>;
  }

  async run(key: string, feeds: Record<string, WireTensor>) {
    const r = await this.send<'run'>({ kind: 'run', key, feeds });
    return r as Extract<Reply, { kind: 'ran' }>;
  }
}
