/**
 * Puts every upload and download through the process-wide bandwidth budget. Uploads are handed to
 * the inner backend as reopenable stream sources, each opening metered afresh, so a retried attempt
 * (the retry wrapper sits outside this one) is metered again from its first byte.
 */
import type { Readable } from 'node:stream';
import { byteSourceSize, openByteSource, pipeThrough } from '../byte-source.js';
import { listKeyPages, listObjectPages } from '../helpers.js';
import type { TokenBucket } from '../../transfer/token-bucket.js';
import { MeteredStream } from '../../transfer/metered-stream.js';
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

/**
 * A backend whose transfers take tokens from `bucket`; everything else passes through. It offers
 * no `copyToFile`: such a copy would move bytes the budget never sees, so downloads use `get`.
 */
export class ThrottledBackend implements StorageBackend {
  readonly provider: string;
  readonly capabilities: StorageCapabilities;

  constructor(
    private readonly inner: StorageBackend,
    private readonly bucket: TokenBucket,
  ) {
    this.provider = inner.provider;
    this.capabilities = inner.capabilities;
  }

  /** The wrapped backend. */
  unwrap(): StorageBackend {
    return this.inner;
  }

  async put(key: string, source: ByteSource, options: PutOptions = {}): Promise<ObjectInfo> {
    const size = await byteSourceSize(source);
    const signal = options.signal;
    const metered: ByteSource = {
      kind: 'stream',
      size,
      open: () => pipeThrough(openByteSource(source), new MeteredStream({ bucket: this.bucket, ...(signal ? { signal } : {}) })),
    };
    return this.inner.put(key, metered, options);
  }

  async get(key: string, options: GetOptions = {}): Promise<Readable> {
    const body = await this.inner.get(key, options);
    const signal = options.signal;
    return pipeThrough(body, new MeteredStream({ bucket: this.bucket, ...(signal ? { signal } : {}) }));
  }

  stat(key: string): Promise<ObjectInfo | undefined> {
    return this.inner.stat(key);
  }

  list(prefix: string, options?: ListOptions): AsyncIterable<ObjectInfo> {
    return this.inner.list(prefix, options);
  }

  listPages(prefix: string, options?: ListOptions): AsyncIterable<readonly ObjectInfo[]> {
    return listObjectPages(this.inner, prefix, options);
  }

  listKeys(prefix: string, options?: ListOptions): AsyncIterable<readonly string[]> {
    return listKeyPages(this.inner, prefix, options);
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }

  deleteMany(keys: readonly string[]): Promise<DeleteManyResult> {
    return this.inner.deleteMany(keys);
  }

  async flush(): Promise<void> {
    await this.inner.flush?.();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** `inner` with its transfers limited by the shared `bucket` (unchanged if the bucket is unlimited). */
export function withThrottle(inner: StorageBackend, bucket: TokenBucket): StorageBackend {
  return new ThrottledBackend(inner, bucket);
}
