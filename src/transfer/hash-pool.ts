/**
 * Hashing files on several cores: a small pool of worker threads, each hashing one whole file at a
 * time and any number of streams handed over in pieces (`hashStream`). MD5 is CPU-bound and runs
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
  /** Start hashing content handed over in pieces (`chunk` messages, in order). */
  | { readonly kind: 'stream'; readonly id: number; readonly spec: HashSpec; readonly expectedSize?: number }
  /** The next piece of a stream; answered with an `ack` once the worker no longer reads `data`. */
  | { readonly kind: 'chunk'; readonly id: number; readonly seq: number; readonly data: Uint8Array }
  /** A stream is complete: answer with its digests. */
  | { readonly kind: 'end'; readonly id: number }
  /** Drop a stream; no answer. */
  | { readonly kind: 'cancel'; readonly id: number };

/** A worker's answer to a file or a stream. */
export type HashResult =
  | { readonly id: number; readonly ok: true; readonly hashes: ContentHashes }
  | { readonly id: number; readonly ok: false; readonly message: string; readonly code?: string };

/** Message from a worker: an answer, or piece `ack` of stream `id` hashed (its memory may be reused). */
export type HashResponse = HashResult | { readonly id: number; readonly ack: number };

interface Pending {
  resolve(hashes: ContentHashes): void;
  reject(err: Error): void;
}

interface Task extends Pending {
  readonly request: HashRequest & { kind: 'file' };
}

/** A stream being hashed by a worker: its final answer and the pieces not yet acknowledged. */
interface Stream {
  readonly result: Pending;
  readonly acks: Map<number, { resolve(): void; reject(err: Error): void }>;
}

interface Slot {
  readonly worker: Worker;
  task: Task | undefined;
  /** Streams being hashed, by request id. */
  readonly streams: Map<number, Stream>;
}

/**
 * Content hashed by a worker as it arrives, in pieces (see `HashWorkerPool.hashStream`). Call
 * `update` for each piece in order, then `finish` (or `cancel` on failure).
 */
export interface StreamedHash {
  /**
   * Hashes `piece` after the previous ones. Resolves once the worker is done reading it, so its
   * memory may then be reused. A view of a `SharedArrayBuffer` is read in place; any other piece
   * is copied into the message.
   */
  update(piece: Uint8Array): Promise<void>;
  /** No more pieces; resolves with the digests (rejects if the worker failed). */
  finish(): Promise<ContentHashes>;
  /** Stops hashing (the content failed or is dropped); nothing is reported. */
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
   * Hashes content handed over in pieces on the worker with the fewest streams, so MD5 runs off
   * the thread that receives the bytes and nothing is read back from disk. Pieces in shared memory
   * cross to the worker without a copy. Same digests as `hashFile` of the whole content;
   * `expectedSize` as for `ContentHasher`.
   */
  hashStream(spec: HashSpec, expectedSize?: number): StreamedHash {
    if (this.closed) throw new Error('hash worker pool is closed');
    const slot = this.slots.length < this.threads ? this.startWorker() : this.leastBusy();
    const id = this.nextId++;
    let result!: Pending;
    const digests = new Promise<ContentHashes>((resolve, reject) => (result = { resolve, reject }));
    // A worker failure may arrive before `finish` asks for the result: not an unhandled rejection.
    digests.catch(() => undefined);
    const stream: Stream = { result, acks: new Map() };
    slot.streams.set(id, stream);
    this.refresh(slot);
    slot.worker.postMessage({ kind: 'stream', id, spec, ...(expectedSize !== undefined && { expectedSize }) } satisfies HashRequest);
    let seq = 0;
    let ended = false;
    return {
      update: (piece) => {
        if (ended) return Promise.reject(new Error('hash stream already finished'));
        if (!slot.streams.has(id)) return digests.then(() => undefined);
        const n = seq++;
        return new Promise<void>((resolve, reject) => {
          stream.acks.set(n, { resolve, reject });
          slot.worker.postMessage({ kind: 'chunk', id, seq: n, data: piece } satisfies HashRequest);
        });
      },
      finish: () => {
        ended = true;
        if (slot.streams.has(id)) slot.worker.postMessage({ kind: 'end', id } satisfies HashRequest);
        return digests;
      },
      cancel: () => {
        ended = true;
        if (!slot.streams.delete(id)) return;
        for (const ack of stream.acks.values()) ack.resolve();
        slot.worker.postMessage({ kind: 'cancel', id } satisfies HashRequest);
        this.refresh(slot);
      },
    };
  }

  private leastBusy(): Slot {
    let best = this.slots[0] as Slot;
    for (const s of this.slots) if (s.streams.size + (s.task ? 1 : 0) < best.streams.size + (best.task ? 1 : 0)) best = s;
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
    if (slot.task || slot.streams.size > 0) slot.worker.ref();
    else slot.worker.unref();
  }

  private startWorker(): Slot {
    const worker = spawnHashWorker();
    const slot: Slot = { worker, task: undefined, streams: new Map() };
    worker.on('message', (response: HashResponse) => {
      const stream = slot.streams.get(response.id);
      if ('ack' in response) {
        const ack = stream?.acks.get(response.ack);
        stream?.acks.delete(response.ack);
        ack?.resolve();
        return;
      }
      if (stream) {
        slot.streams.delete(response.id);
        // A failed stream also releases the pieces it still held (their writers see the failure at `finish`).
        for (const ack of stream.acks.values()) ack.resolve();
        settle(stream.result, response);
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
    for (const stream of slot.streams.values()) {
      for (const ack of stream.acks.values()) ack.reject(err);
      stream.result.reject(err);
    }
    slot.streams.clear();
    if (!this.closed) this.dispatch();
  }

  /** Stops the threads; queued, running and streamed requests are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new Error('hash worker pool is closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

function settle(pending: Pending, response: HashResult): void {
  if (response.ok) pending.resolve(response.hashes);
  else pending.reject(Object.assign(new Error(response.message), response.code ? { code: response.code } : {}));
}
