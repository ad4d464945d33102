/**
 * One DEBUG line per storage operation (attempt), with its outcome and duration, for `-v` runs:
 * `local: put node1/b1/meta/schema.cql (1.2 KiB) ok in 3 ms`. It sits inside the retry wrapper, so
 * each attempt of a retried operation gets its own line.
 */
import type { Readable } from 'node:stream';
import { byteSourceSize } from '../byte-source.js';
import { listKeyPages, listObjectPages } from '../helpers.js';
import { flattenPages } from '../pages.js';
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
import type { Clock } from '../../util/clock.js';
import { systemClock } from '../../util/clock.js';

/** The part of a logger this wrapper and the retry logging use (the project's `Logger` fits). */
export interface StorageLog {
  debug(message: string): void;
  warning(message: string): void;
  /** When false, the wrapper skips building DEBUG lines altogether. */
  readonly debugEnabled: boolean;
}

/** `inner`, with each operation logged at DEBUG level to `log`. */
export class LoggingBackend implements StorageBackend {
  readonly provider: string;
  readonly capabilities: StorageCapabilities;

  /** Offered only when the inner backend offers it (see the port). */
  readonly copyToFile?: StorageBackend['copyToFile'];

  constructor(
    private readonly inner: StorageBackend,
    private readonly log: StorageLog,
    private readonly clock: Clock = systemClock,
  ) {
    this.provider = inner.provider;
    this.capabilities = inner.capabilities;
    const copy = inner.copyToFile?.bind(inner);
    if (copy) {
      this.copyToFile = (key, path, options) => this.timed(`copy ${key} to ${path}`, () => copy(key, path, options), (r) => `${r.size} bytes`);
    }
  }

  /** The wrapped backend. */
  unwrap(): StorageBackend {
    return this.inner;
  }

  private async timed<T>(what: string, fn: () => Promise<T>, describe?: (value: T) => string): Promise<T> {
    if (!this.log.debugEnabled) return fn();
    const start = this.clock.now();
    try {
      const value = await fn();
      const extra = describe ? ` ${describe(value)}` : '';
      this.log.debug(`${this.provider}: ${what} ok${extra} in ${this.clock.now() - start} ms`);
      return value;
    } catch (err) {
      this.log.debug(`${this.provider}: ${what} failed in ${this.clock.now() - start} ms: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
  }

  async put(key: string, source: ByteSource, options?: PutOptions): Promise<ObjectInfo> {
    const size = this.log.debugEnabled ? ` (${await byteSourceSize(source)} bytes)` : '';
    return this.timed(`put ${key}${size}`, () => this.inner.put(key, source, options), (i) => `hash ${i.hash ?? 'none'}`);
  }

  get(key: string, options?: GetOptions): Promise<Readable> {
    const range = options?.range ? ` bytes ${options.range.start}-${options.range.end ?? ''}` : '';
    return this.timed(`get ${key}${range}`, () => this.inner.get(key, options));
  }

  stat(key: string): Promise<ObjectInfo | undefined> {
    return this.timed(`stat ${key}`, () => this.inner.stat(key), (i) => (i ? `${i.size} bytes` : 'missing'));
  }

  list(prefix: string, options?: ListOptions): AsyncIterable<ObjectInfo> {
    return flattenPages(this.listPages(prefix, options));
  }

  async *listPages(prefix: string, options?: ListOptions): AsyncIterable<readonly ObjectInfo[]> {
    const start = this.clock.now();
    let n = 0;
    for await (const page of listObjectPages(this.inner, prefix, options)) {
      n += page.length;
      yield page;
    }
    if (this.log.debugEnabled) this.log.debug(`${this.provider}: list ${prefix || '(whole bucket)'} ok, ${n} objects in ${this.clock.now() - start} ms`);
  }

  async *listKeys(prefix: string, options?: ListOptions): AsyncIterable<readonly string[]> {
    const start = this.clock.now();
    let n = 0;
    for await (const page of listKeyPages(this.inner, prefix, options)) {
      n += page.length;
      yield page;
    }
    if (this.log.debugEnabled) this.log.debug(`${this.provider}: list keys ${prefix || '(whole bucket)'} ok, ${n} keys in ${this.clock.now() - start} ms`);
  }

  delete(key: string): Promise<void> {
    return this.timed(`delete ${key}`, () => this.inner.delete(key));
  }

  deleteMany(keys: readonly string[]): Promise<DeleteManyResult> {
    return this.timed(`deleteMany of ${keys.length} keys`, () => this.inner.deleteMany(keys), (r) => `${r.deleted} deleted, ${r.failed.length} failed`);
  }

  async flush(): Promise<void> {
    await this.timed('flush', async () => {
      await this.inner.flush?.();
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** `inner` with DEBUG logging of every operation. */
export function withLogging(inner: StorageBackend, log: StorageLog, clock?: Clock): StorageBackend {
  return new LoggingBackend(inner, log, clock);
}
