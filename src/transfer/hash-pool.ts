/**
 * Hashing files on several cores: a small pool of worker threads, each hashing one whole file at a
 * time and following any number of files being written (`followFile`). MD5 is CPU-bound and runs
 * on the thread that calls it, so without workers every check of local files shares one core
 * whatever `[checks] md5_check_concurrency` says, and a download would hash on the thread that
 * receives its bytes.
 */
import { Worker } from 'node:worker_threads';
import type { ContentHashes, HashSpec } from './hashing.js';

/** Message to a worker. */
export type HashRequest =
  /** Hash the whole file at `path`, answer once. */
  | { readonly kind: 'file'; readonly id: number; readonly path: string; readonly spec: HashSpec }
  /** Start following the file at `path` (opened at the first `advance`). */
  | { readonly kind: 'follow'; readonly id: number; readonly path: string; readonly spec: HashSpec; readonly expectedSize?: number }
  /** The first `size` bytes of a followed file are written. */
  | { readonly kind: 'advance'; readonly id: number; readonly size: number }
  /** A followed file is complete at `size` bytes: answer once all are hashed. */
  | { readonly kind: 'finish'; readonly id: number; readonly size: number }
  /** Stop following; no answer. */
  | { readonly kind: 'cancel'; readonly id: number };

/** Message from a worker. */
export type HashResponse =
  | { readonly id: number; readonly ok: true; readonly hashes: ContentHashes }
  | { readonly id: number; readonly ok: false; readonly message: string; readonly code?: string };

interface Pending {
  resolve(hashes: ContentHashes): void;
  reject(err: Error): void;
}

interface Task extends Pending {
  readonly request: HashRequest & { kind: 'file' };
}

interface Slot {
  readonly worker: Worker;
  task: Task | undefined;
  /** Followed files, by request id. */
  readonly follows: Map<number, Pending>;
}

/**
 * A file being hashed by a worker while it is written (see `HashWorkerPool.followFile`). Call
 * `advance` as bytes land, then `finish` (or `cancel` on failure).
 */
export interface FollowedFile {
  /** The first `size` bytes of the file are written. */
  advance(size: number): void;
  /** The file is complete at `size` bytes; resolves with its digests (rejects on a read failure). */
  finish(size: number): Promise<ContentHashes>;
  /** Stops hashing (the file failed or is dropped); `finish` must not be called afterwards. */
  cancel(): void;
}

/**
 * A new hashing thread. Built code runs the compiled `hash-worker.js` beside this module. Run from
 * source (tests, under tsx), the `.ts` worker needs the TypeScript loader, which tsx registers only
 * on the main thread under Node 20 (harmless on 22 and 24): the worker registers it first, through tsx's API.
 */
function spawnHashWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./hash-worker.js', import.meta.url));
  const target = new URL('./hash-worker.ts', import.meta.url).href;
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(target)}); })`;
  return new Worker(code, { eval: true });
}

/** A fixed number of hashing threads, started on first use, with a FIFO queue of whole files in front. */
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
      this.queue.push({ request: { kind: 'file', id: this.nextId++, path, spec }, resolve, reject });
      this.dispatch();
    });
  }

  /**
   * Hashes the file at `path` while it is being written: the worker with the fewest followed files
   * reads each range once `advance` says it is written (from the page cache, right behind the
   * writer), so the digests are ready moments after `finish`. Same results as `hashFile` of the
   * complete file. `expectedSize` as for `ContentHasher`.
   */
  followFile(path: string, spec: HashSpec, expectedSize?: number): FollowedFile {
    if (this.closed) throw new Error('hash worker pool is closed');
    const slot = this.slots.length < this.threads ? this.startWorker() : this.leastBusy();
    const id = this.nextId++;
    let pending!: Pending;
    const result = new Promise<ContentHashes>((resolve, reject) => (pending = { resolve, reject }));
    // A read failure may arrive before `finish` asks for the result: not an unhandled rejection.
    result.catch(() => undefined);
    slot.follows.set(id, pending);
    this.refresh(slot);
    slot.worker.postMessage({ kind: 'follow', id, path, spec, ...(expectedSize !== undefined && { expectedSize }) } satisfies HashRequest);
    let finished = false;
    return {
      advance: (size) => {
        if (!finished && slot.follows.has(id)) slot.worker.postMessage({ kind: 'advance', id, size } satisfies HashRequest);
      },
      finish: (size) => {
        finished = true;
        if (slot.follows.has(id)) slot.worker.postMessage({ kind: 'finish', id, size } satisfies HashRequest);
        return result;
      },
      cancel: () => {
        finished = true;
        if (!slot.follows.delete(id)) return;
        slot.worker.postMessage({ kind: 'cancel', id } satisfies HashRequest);
        this.refresh(slot);
      },
    };
  }

  private leastBusy(): Slot {
    let best = this.slots[0] as Slot;
    for (const s of this.slots) if (s.follows.size + (s.task ? 1 : 0) < best.follows.size + (best.task ? 1 : 0)) best = s;
    return best;
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.task);
      if (!slot && this.slots.length < this.threads) slot = this.startWorker();
      if (!slot) return;
      const task = this.queue.shift() as Task;
      slot.task = task;
      this.refresh(slot);
      slot.worker.postMessage(task.request);
    }
  }

  /** A worker with work keeps the process alive; an idle one must not. */
  private refresh(slot: Slot): void {
    if (slot.task || slot.follows.size > 0) slot.worker.ref();
    else slot.worker.unref();
  }

  private startWorker(): Slot {
    const worker = spawnHashWorker();
    const slot: Slot = { worker, task: undefined, follows: new Map() };
    worker.on('message', (response: HashResponse) => {
      const follow = slot.follows.get(response.id);
      if (follow) {
        slot.follows.delete(response.id);
        settle(follow, response);
      } else if (slot.task && slot.task.request.id === response.id) {
        const task = slot.task;
        slot.task = undefined;
        settle(task, response);
      }
      this.refresh(slot);
      this.dispatch();
    });
    worker.on('error', (err) => this.retire(slot, err));
    worker.on('exit', (code) => this.retire(slot, new Error(`hash worker exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }

  /** A worker died: fail its work, forget it, and let another one take the queue. */
  private retire(slot: Slot, err: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    slot.task?.reject(err);
    slot.task = undefined;
    for (const follow of slot.follows.values()) follow.reject(err);
    slot.follows.clear();
    if (!this.closed) this.dispatch();
  }

  /** Stops the threads; queued, running and followed requests are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new Error('hash worker pool is closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

function settle(pending: Pending, response: HashResponse): void {
  if (response.ok) pending.resolve(response.hashes);
  else pending.reject(Object.assign(new Error(response.message), response.code ? { code: response.code } : {}));
}
