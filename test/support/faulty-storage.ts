/**
 * A fault-injecting wrapper for tests of the retry and throttle wrappers: it sits innermost (over
 * a real backend such as memory) and makes operations fail, either on scripted rules or at random
 * from a seeded generator. Faults include failures in the middle of a transfer: a put that has
 * read part of its source, a download stream that breaks after some bytes, a listing that stops
 * after some keys, a batch delete where some keys fail.
 */
import { Readable } from 'node:stream';
import { openByteSource } from '../../src/storage/byte-source.js';
import { TransientStorageError } from '../../src/storage/errors.js';
import type {
  ByteSource,
  DeleteManyResult,
  GetOptions,
  ListOptions,
  ObjectInfo,
  PutOptions,
  StorageBackend,
  StorageCapabilities,
} from '../../src/storage/types.js';

/** The port operations a fault can target. */
export type FaultOperation = 'put' | 'get' | 'stat' | 'list' | 'delete' | 'deleteMany';

/** Where in the operation a fault strikes. */
export type FaultPoint =
  /** Before anything happens. */
  | 'before'
  /** Part-way through the bytes or keys (put: after reading part of the source; get: the stream breaks; list: after some keys; deleteMany: some keys fail). */
  | 'during';

/** A scripted fault: the next `times` matching calls fail with `error()`. */
export interface FaultRule {
  readonly operation: FaultOperation;
  /** Only calls on this key (or listing prefix); any when omitted. */
  readonly key?: string;
  readonly point?: FaultPoint;
  /** How many matching calls fail (default 1). */
  times?: number;
  readonly error: () => Error;
}

/** Random-fault settings of a `FaultyBackend`. */
export interface FaultyOptions {
  /** Chance in [0, 1] that any call fails with a transient error at random (default 0). */
  readonly transientRate?: number;
  /** Seed of the random generator (default 1): runs are reproducible. */
  readonly seed?: number;
}

/** mulberry32: small, fast, seeded; plenty for picking faults. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Wraps `inner`, failing calls per the scripted rules first, then at random (see the module comment). */
export class FaultyBackend implements StorageBackend {
  readonly provider: string;
  readonly capabilities: StorageCapabilities;
  /** Calls per operation, faulted or not. */
  readonly calls: Record<FaultOperation, number> = { put: 0, get: 0, stat: 0, list: 0, delete: 0, deleteMany: 0 };
  /** Faults injected per operation. */
  readonly faults: Record<FaultOperation, number> = { put: 0, get: 0, stat: 0, list: 0, delete: 0, deleteMany: 0 };
  private readonly rules: FaultRule[] = [];
  private readonly random: () => number;
  private readonly rate: number;

  constructor(
    readonly inner: StorageBackend,
    options: FaultyOptions = {},
  ) {
    this.provider = inner.provider;
    this.capabilities = inner.capabilities;
    this.rate = options.transientRate ?? 0;
    this.random = seededRandom(options.seed ?? 1);
  }

  /** Adds a scripted fault (checked before random faults). */
  inject(rule: FaultRule): this {
    this.rules.push({ ...rule, times: rule.times ?? 1 });
    return this;
  }

  /** The fault (and where) for this call, if any. */
  private pick(operation: FaultOperation, key: string): { point: FaultPoint; error: Error } | undefined {
    this.calls[operation] += 1;
    const rule = this.rules.find((r) => r.operation === operation && (r.key === undefined || r.key === key) && (r.times ?? 0) > 0);
    if (rule) {
      rule.times = (rule.times ?? 1) - 1;
      this.faults[operation] += 1;
      return { point: rule.point ?? 'before', error: rule.error() };
    }
    if (this.rate > 0 && this.random() < this.rate) {
      this.faults[operation] += 1;
      const point: FaultPoint = this.random() < 0.5 ? 'before' : 'during';
      return { point, error: new TransientStorageError(`faulty: injected ${point} ${operation} ${key}`) };
    }
    return undefined;
  }

  async put(key: string, source: ByteSource, options?: PutOptions): Promise<ObjectInfo> {
    const fault = this.pick('put', key);
    if (fault?.point === 'before') throw fault.error;
    if (fault) {
      // Consume part of the source, as a transfer that breaks half-way would, then fail.
      const stream = openByteSource(source);
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (chunk.length > 0) break;
      }
      stream.destroy();
      throw fault.error;
    }
    return this.inner.put(key, source, options);
  }

  async get(key: string, options?: GetOptions): Promise<Readable> {
    const fault = this.pick('get', key);
    if (fault?.point === 'before') throw fault.error;
    const body = await this.inner.get(key, options);
    if (!fault) return body;
    return Readable.from(breakAfterHalf(body, fault.error), { objectMode: false });
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    const fault = this.pick('stat', key);
    if (fault) throw fault.error;
    return this.inner.stat(key);
  }

  async *list(prefix: string, options?: ListOptions): AsyncIterable<ObjectInfo> {
    const fault = this.pick('list', prefix);
    if (fault?.point === 'before') throw fault.error;
    let n = 0;
    for await (const info of this.inner.list(prefix, options)) {
      // `during`: stop after a few keys (or at once for short listings).
      if (fault && n >= 3) throw fault.error;
      n += 1;
      yield info;
    }
    if (fault) throw fault.error;
  }

  async delete(key: string): Promise<void> {
    const fault = this.pick('delete', key);
    if (fault) throw fault.error;
    return this.inner.delete(key);
  }

  async deleteMany(keys: readonly string[]): Promise<DeleteManyResult> {
    const fault = this.pick('deleteMany', `${keys.length} keys`);
    if (fault?.point === 'before') throw fault.error;
    if (!fault) return this.inner.deleteMany(keys);
    // `during`: every other key fails; the rest are deleted.
    const attempted = keys.filter((_, i) => i % 2 === 0);
    const skipped = keys.filter((_, i) => i % 2 === 1);
    const result = await this.inner.deleteMany(attempted);
    return { deleted: result.deleted, failed: [...result.failed, ...skipped.map((key) => ({ key, error: fault.error }))] };
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

async function* breakAfterHalf(body: Readable, error: Error): AsyncGenerator<Buffer> {
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (chunk.length >= 2) yield chunk.subarray(0, Math.floor(chunk.length / 2));
    break;
  }
  body.destroy();
  throw error;
}
