/**
 * Hashing files on several cores: a small pool of worker threads, each hashing one file at a time.
 * MD5 is CPU-bound and runs on the thread that calls it, so without workers every check of local
 * files shares one core whatever `[checks] md5_check_concurrency` says.
 */
import { Worker } from 'node:worker_threads';
import type { ContentHashes, HashSpec } from './hashing.js';

/** Message to a worker. */
export interface HashRequest {
  readonly id: number;
  readonly path: string;
  readonly spec: HashSpec;
}

/** Message from a worker. */
export type HashResponse =
  | { readonly id: number; readonly ok: true; readonly hashes: ContentHashes }
  | { readonly id: number; readonly ok: false; readonly message: string; readonly code?: string };

interface Task {
  readonly request: HashRequest;
  resolve(hashes: ContentHashes): void;
  reject(err: Error): void;
}

interface Slot {
  readonly worker: Worker;
  task: Task | undefined;
}

/**
 * A new hashing thread. Built code runs the compiled `hash-worker.js` beside this module. Run from
 * source (tests, under tsx), the `.ts` worker needs the TypeScript loader, which tsx registers only
 * on the main thread under Node 20: the worker then registers it first, through tsx's API.
 */
function spawnHashWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./hash-worker.js', import.meta.url));
  const target = new URL('./hash-worker.ts', import.meta.url).href;
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(target)}); })`;
  return new Worker(code, { eval: true });
}

/** A fixed number of hashing threads, started on first use, with a FIFO queue in front. */
export class HashWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  /** `threads` at least 1 (e.g. `[checks] md5_check_concurrency`). */
  constructor(private readonly threads: number) {
    if (!(threads >= 1)) throw new RangeError(`hash threads must be at least 1, got ${threads}`);
  }

  /** The file's digests, computed on a worker thread (same results as `hashFile`). */
  hashFile(path: string, spec: HashSpec): Promise<ContentHashes> {
    if (this.closed) return Promise.reject(new Error('hash worker pool is closed'));
    return new Promise<ContentHashes>((resolve, reject) => {
      this.queue.push({ request: { id: this.nextId++, path, spec }, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.task);
      if (!slot && this.slots.length < this.threads) slot = this.startWorker();
      if (!slot) return;
      const task = this.queue.shift() as Task;
      slot.task = task;
      slot.worker.ref();
      slot.worker.postMessage(task.request);
    }
  }

  private startWorker(): Slot {
    const worker = spawnHashWorker();
    const slot: Slot = { worker, task: undefined };
    worker.on('message', (response: HashResponse) => {
      const task = slot.task;
      slot.task = undefined;
      // An idle worker must not keep the process alive.
      worker.unref();
      if (task && task.request.id === response.id) {
        if (response.ok) task.resolve(response.hashes);
        else task.reject(Object.assign(new Error(response.message), response.code ? { code: response.code } : {}));
      }
      this.dispatch();
    });
    worker.on('error', (err) => this.retire(slot, err));
    worker.on('exit', (code) => this.retire(slot, new Error(`hash worker exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }

  /** A worker died: fail its task, forget it, and let another one take the queue. */
  private retire(slot: Slot, err: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    slot.task?.reject(err);
    slot.task = undefined;
    if (!this.closed) this.dispatch();
  }

  /** Stops the threads; queued and running requests are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new Error('hash worker pool is closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
