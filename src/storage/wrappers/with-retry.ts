/**
 * Per-object retries: every operation is tried again on a retryable error (`isRetryable`, nothing
 * else), with exponential backoff (see `RetryPolicy`). A put reopens its source for each attempt; a
 * download that fails mid-stream resumes at the first missing byte; a listing that fails restarts
 * after the last key it yielded (listings are in ascending key order); `deleteMany` retries only the
 * keys that failed transiently. Permanent errors surface at once, unchanged.
 */
import type { Readable } from 'node:stream';
import { compareKeys } from '../key-rules.js';
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
import { isRetryable } from '../errors.js';
import { listKeyPages, listObjectPages } from '../helpers.js';
import { flattenPages } from '../pages.js';
import { resumableRead } from './resumable-read.js';
import { wholeBodyBytes } from '../whole-body.js';
import { RetryPolicy, type RetryOptions } from './retry-policy.js';

/** A backend that retries transient failures of `inner`. */
export class RetryingBackend implements StorageBackend {
  readonly provider: string;
  readonly capabilities: StorageCapabilities;
  readonly policy: RetryPolicy;
  /** Offered only when the inner backend offers it (see the port). */
  readonly copyToFile?: StorageBackend['copyToFile'];

  constructor(
    private readonly inner: StorageBackend,
    options: RetryOptions = {},
  ) {
    this.provider = inner.provider;
    this.capabilities = inner.capabilities;
    this.policy = new RetryPolicy(options);
    const copy = inner.copyToFile?.bind(inner);
    if (copy) {
      // A retried copy starts again from the first byte, so a failed attempt leaves nothing behind.
      this.copyToFile = (key, path, copyOptions) => this.policy.run('copyToFile', key, () => copy(key, path, copyOptions), copyOptions?.signal);
    }
  }

  /** The wrapped backend. */
  unwrap(): StorageBackend {
    return this.inner;
  }

  put(key: string, source: ByteSource, options: PutOptions = {}): Promise<ObjectInfo> {
    // The inner backend opens `source` afresh on every call, so each attempt sends every byte.
    return this.policy.run('put', key, () => this.inner.put(key, source, options), options.signal);
  }

  async get(key: string, options: GetOptions = {}): Promise<Readable> {
    const open = (opts: GetOptions): Promise<Readable> => this.policy.run('get', key, () => this.inner.get(key, opts), opts.signal);
    const first = await open(options);
    // Bytes already in memory cannot fail midway: nothing to resume.
    return wholeBodyBytes(first) !== undefined ? first : resumableRead(first, key, options, open, this.policy);
  }

  stat(key: string): Promise<ObjectInfo | undefined> {
    return this.policy.run('stat', key, () => this.inner.stat(key));
  }

  list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    return flattenPages(this.listPages(prefix, options));
  }

  listPages(prefix: string, options: ListOptions = {}): AsyncIterable<readonly ObjectInfo[]> {
    return this.restartable(prefix, options, () => listObjectPages(this.inner, prefix, options), (info) => info.key);
  }

  listKeys(prefix: string, options: ListOptions = {}): AsyncIterable<readonly string[]> {
    return this.restartable(prefix, options, () => listKeyPages(this.inner, prefix, options), (key) => key);
  }

  /** A paged listing that, on a retryable failure, restarts after the last key it yielded. */
  private async *restartable<T>(
    prefix: string,
    options: ListOptions,
    open: () => AsyncIterable<readonly T[]>,
    keyOf: (item: T) => string,
  ): AsyncIterable<readonly T[]> {
    let last: string | undefined;
    let failures = 0;
    for (;;) {
      // After a restart, skip what the caller already has (listings are in ascending key order).
      let skipThrough = failures > 0 ? last : undefined;
      try {
        for await (let page of open()) {
          if (skipThrough !== undefined) {
            const through = skipThrough;
            page = page.filter((item) => compareKeys(keyOf(item), through) > 0);
            if (page.length === 0) continue;
            skipThrough = undefined;
          }
          last = keyOf(page[page.length - 1]!);
          failures = 0; // progress: the next failure starts a fresh count
          yield page;
        }
        return;
      } catch (err) {
        failures += 1;
        await this.policy.afterFailure('list', prefix, failures, err, options.signal);
      }
    }
  }

  delete(key: string): Promise<void> {
    return this.policy.run('delete', key, () => this.inner.delete(key));
  }

  async deleteMany(keys: readonly string[]): Promise<DeleteManyResult> {
    let pending = keys;
    let deleted = 0;
    const failed: Array<{ key: string; error: Error }> = [];
    for (let attempt = 1; pending.length > 0; attempt++) {
      const result = await this.policy.run('deleteMany', `${pending.length} keys`, () => this.inner.deleteMany(pending));
      deleted += result.deleted;
      const transient = result.failed.filter((f) => isRetryable(f.error));
      failed.push(...result.failed.filter((f) => !isRetryable(f.error)));
      if (transient.length === 0) break;
      if (attempt >= this.policy.maxAttempts) {
        failed.push(...transient);
        break;
      }
      const first = transient[0];
      await this.policy.afterFailure('deleteMany', `${transient.length} keys`, attempt, first?.error);
      pending = transient.map((f) => f.key);
    }
    return { deleted, failed };
  }

  async flush(): Promise<void> {
    await this.inner.flush?.();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** `inner` with per-object retries. */
export function withRetry(inner: StorageBackend, options: RetryOptions = {}): StorageBackend {
  return new RetryingBackend(inner, options);
}
