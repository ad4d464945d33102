/**
 * An in-memory store with the full port contract, for tests and dry runs. It behaves like an object
 * store (hex MD5 in listings, like a single-PUT S3 ETag), keeps copies of what it is given and hands
 * out copies, so callers can never alter stored bytes by mutating a buffer.
 */
import { Readable } from 'node:stream';
import { systemClock, type Clock } from '../../util/clock.js';
import { md5Hex } from '../../transfer/hashing.js';
import { openByteSource } from '../byte-source.js';
import { ConflictError, InvalidRangeError, NotFoundError } from '../errors.js';
import { assertListPrefix, assertObjectKey, compareKeys } from '../key-rules.js';
import type {
  ByteSource,
  DeleteManyResult,
  GetOptions,
  ListOptions,
  ObjectInfo,
  PutOptions,
  StorageBackend,
  StorageCapabilities,
} from '../types.js';

/** Settings of a `MemoryBackend`; all optional. */
export interface MemoryBackendOptions {
  /** Stamps `lastModified` (default: the system clock). */
  readonly clock?: Clock;
  /** `capabilities.maxDeleteBatch` (default 1000, like S3). */
  readonly maxDeleteBatch?: number;
  /** Name used in messages (default `memory`). */
  readonly provider?: string;
}

interface StoredObject {
  readonly data: Buffer;
  readonly info: ObjectInfo;
}

/** Pieces a `get` stream is cut into, so consumers see more than one chunk like with real stores. */
const READ_PIECE_BYTES = 64 * 1024;

/** The in-memory backend. */
export class MemoryBackend implements StorageBackend {
  readonly provider: string;
  readonly capabilities: StorageCapabilities;
  private readonly objects = new Map<string, StoredObject>();
  private readonly clock: Clock;

  constructor(options: MemoryBackendOptions = {}) {
    this.provider = options.provider ?? 'memory';
    this.clock = options.clock ?? systemClock;
    this.capabilities = { hashKind: 'md5-hex', maxDeleteBatch: options.maxDeleteBatch ?? 1000, listingHasHash: true };
  }

  /** Number of stored objects (for tests). */
  get size(): number {
    return this.objects.size;
  }

  async put(key: string, source: ByteSource, options: PutOptions = {}): Promise<ObjectInfo> {
    assertObjectKey(this.provider, key);
    options.signal?.throwIfAborted();
    const chunks: Buffer[] = [];
    for await (const chunk of openByteSource(source) as AsyncIterable<Buffer>) {
      options.signal?.throwIfAborted();
      chunks.push(Buffer.from(chunk));
    }
    const data = Buffer.concat(chunks);
    const declared = source.kind === 'stream' ? source.size : undefined;
    if (declared !== undefined && declared !== data.length) {
      throw new ConflictError(`${this.provider}: put ${key}: the source gave ${data.length} bytes, ${declared} were announced`);
    }
    options.signal?.throwIfAborted();
    const info: ObjectInfo = { key, size: data.length, lastModified: new Date(this.clock.now()), hash: md5Hex(data) };
    this.objects.set(key, { data, info });
    return info;
  }

  get(key: string, options: GetOptions = {}): Promise<Readable> {
    return settle(() => this.read(key, options));
  }

  private read(key: string, options: GetOptions): Readable {
    assertObjectKey(this.provider, key);
    options.signal?.throwIfAborted();
    const stored = this.objects.get(key);
    if (!stored) throw new NotFoundError(`${this.provider}: get ${key}: no such object`);
    let bytes = stored.data;
    const range = options.range;
    if (range) {
      const last = range.end === undefined ? bytes.length - 1 : Math.min(range.end, bytes.length - 1);
      if (!Number.isInteger(range.start) || range.start < 0 || range.start >= bytes.length || last < range.start) {
        throw new InvalidRangeError(`${this.provider}: get ${key}: range ${range.start}-${range.end ?? ''} is outside the object's ${bytes.length} bytes`);
      }
      bytes = bytes.subarray(range.start, last + 1);
    }
    const copy = Buffer.from(bytes);
    const pieces = function* (): Generator<Buffer> {
      for (let i = 0; i < copy.length; i += READ_PIECE_BYTES) yield copy.subarray(i, i + READ_PIECE_BYTES);
    };
    return Readable.from(pieces(), { objectMode: false, ...(options.signal ? { signal: options.signal } : {}) });
  }

  stat(key: string): Promise<ObjectInfo | undefined> {
    return settle(() => {
      assertObjectKey(this.provider, key);
      return this.objects.get(key)?.info;
    });
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- the port's list is async; memory has nothing to wait for
  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    assertListPrefix(this.provider, prefix);
    // A snapshot of the matching keys: puts and deletes during the iteration do not disturb it.
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort(compareKeys);
    for (const key of keys) {
      options.signal?.throwIfAborted();
      const stored = this.objects.get(key);
      if (stored) yield stored.info;
    }
  }

  delete(key: string): Promise<void> {
    return settle(() => {
      assertObjectKey(this.provider, key);
      this.objects.delete(key);
    });
  }

  deleteMany(keys: readonly string[]): Promise<DeleteManyResult> {
    const failed: Array<{ key: string; error: Error }> = [];
    let deleted = 0;
    for (const key of keys) {
      try {
        assertObjectKey(this.provider, key);
        this.objects.delete(key);
        deleted += 1;
      } catch (err) {
        failed.push({ key, error: err instanceof Error ? err : new Error(String(err)) });
      }
    }
    return Promise.resolve({ deleted, failed });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Runs `fn` now; its throw becomes a rejection, as the port promises (callers only `await`). */
function settle<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => resolve(fn()));
}
