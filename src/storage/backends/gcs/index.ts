/**
 * The `google_storage` backend on @google-cloud/storage. Loaded by the registry only for that provider.
 *
 * - `put`: a simple upload below `multi_part_upload_threshold`, a resumable upload (chunks of
 *   `multipart_chunksize`, each retried alone by the client) from it up; then the object's
 *   metadata, whose `md5Hash` (base64) is the hash Medusa records (reference §3.2).
 * - The client's own upload validation is off: it would hash every byte once more (CRC32C in
 *   JavaScript is slower than the network here), and the store's md5Hash read back afterwards is
 *   what Medusa compares. Transport integrity is TLS's job on Google's endpoint.
 * - `get` starts the download and waits for the answer, so a missing object rejects before any byte.
 * - `deleteMany` deletes in parallel (16 at a time), reporting each failure.
 */
import { PassThrough, type Readable } from 'node:stream';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import type { IncomingMessage } from 'node:http';
import { Storage, type Bucket, type File, type StorageOptions } from '@google-cloud/storage';
import type { StorageSection } from '../../../config/types.js';
import { byteSourceSize, openByteSource } from '../../byte-source.js';
import { NotFoundError } from '../../errors.js';
import { assertListPrefix, assertObjectKey } from '../../key-rules.js';
import type { BackendContext } from '../../registry.js';
import type {
  ByteSource,
  DeleteManyResult,
  GetOptions,
  ListOptions,
  ObjectInfo,
  PutOptions,
  StorageBackend,
  StorageCapabilities,
} from '../../types.js';
import { isMissingBucket, mapGcsError } from './errors.js';
import { gcsSettingsFrom, readServiceAccountKey, type GcsSettings } from './options.js';
import { deleteEach } from '../../delete-each.js';
import { flattenPages } from '../../pages.js';

/** Client retries per request (after the first attempt); whole-object retries belong to the retry wrapper. */
export const SDK_MAX_RETRIES = 2;

/** The fields of a GCS object resource we read. */
export interface GcsMetadata {
  name?: string;
  size?: string | number;
  updated?: string;
  md5Hash?: string;
}

/** A GCS bucket as a `StorageBackend`. */
export class GcsBackend implements StorageBackend {
  readonly provider: string;
  readonly capabilities: StorageCapabilities = { hashKind: 'md5-base64', maxDeleteBatch: 1000, listingHasHash: true };

  constructor(
    private readonly settings: GcsSettings,
    private readonly bucket: Bucket,
  ) {
    this.provider = settings.provider;
  }

  private where(key: string): string {
    return `gs://${this.settings.bucket}/${key}`;
  }

  async put(key: string, source: ByteSource, options: PutOptions = {}): Promise<ObjectInfo> {
    assertObjectKey(this.provider, key);
    const file = this.bucket.file(key);
    try {
      options.signal?.throwIfAborted();
      const size = await byteSourceSize(source);
      const resumable = size > 0 && size >= this.settings.resumableThreshold;
      const sink = file.createWriteStream({
        resumable,
        ...(resumable && { chunkSize: this.settings.chunkSize }),
        validation: false,
        ...(options.contentType !== undefined && { contentType: options.contentType }),
      });
      await pipelineAsync(openByteSource(source), sink, ...(options.signal ? [{ signal: options.signal }] : []));
    } catch (err) {
      throw mapGcsError(this.provider, `put ${this.where(key)}`, err);
    }
    const info = await this.stat(key);
    if (!info) throw new NotFoundError(`${this.provider}: put ${this.where(key)}: the object is missing right after its upload`);
    return info;
  }

  async get(key: string, options: GetOptions = {}): Promise<Readable> {
    assertObjectKey(this.provider, key);
    const what = `get ${this.where(key)}`;
    const range = options.range;
    const download = this.bucket.file(key).createReadStream({
      validation: false,
      decompress: false,
      ...(range && { start: range.start }),
      ...(range?.end !== undefined && { end: range.end }),
    });
    const out = new PassThrough({ highWaterMark: 1024 * 1024 });
    // The request starts when the stream is first read; the pipe below does that. Errors reach
    // the caller mapped (pipe() does not forward them, so nothing raw escapes).
    download.on('error', (err) => out.destroy(mapGcsError(this.provider, what, err)));
    download.pipe(out);
    const signal = options.signal;
    let onAbort = (): void => undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        onAbort = (): void => {
          download.destroy();
          out.destroy();
          reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
        };
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        download.once('response', (res: IncomingMessage) => {
          if ((res.statusCode ?? 0) < 300) resolve();
        });
        out.once('error', reject);
        download.once('end', () => resolve());
      });
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    return out;
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    assertObjectKey(this.provider, key);
    try {
      const [metadata] = await this.bucket.file(key).getMetadata();
      return gcsObjectInfo(key, metadata);
    } catch (err) {
      const mapped = mapGcsError(this.provider, `stat ${this.where(key)}`, err);
      if (mapped instanceof NotFoundError && !isMissingBucket(err)) return undefined;
      throw mapped;
    }
  }

  list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    return flattenPages(this.listPages(prefix, options));
  }

  async *listPages(prefix: string, options: ListOptions = {}): AsyncIterable<readonly ObjectInfo[]> {
    assertListPrefix(this.provider, prefix);
    let pageToken: string | undefined;
    do {
      options.signal?.throwIfAborted();
      let files: File[];
      let next: { pageToken?: string } | null | undefined;
      try {
        const page = await this.bucket.getFiles({ prefix, autoPaginate: false, maxResults: 1000, ...(pageToken && { pageToken }) });
        files = page[0];
        next = page[1];
      } catch (err) {
        throw mapGcsError(this.provider, `list gs://${this.settings.bucket}/${prefix}`, err);
      }
      const out = files.filter((f) => !f.name.endsWith('/')).map((f) => gcsObjectInfo(f.name, f.metadata));
      if (out.length > 0) yield out;
      pageToken = next?.pageToken;
    } while (pageToken);
  }

  async delete(key: string): Promise<void> {
    assertObjectKey(this.provider, key);
    try {
      await this.bucket.file(key).delete({ ignoreNotFound: true });
    } catch (err) {
      throw mapGcsError(this.provider, `delete ${this.where(key)}`, err);
    }
  }

  deleteMany(keys: readonly string[]): Promise<DeleteManyResult> {
    return deleteEach(keys, (key) => this.delete(key));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * An object's info from its metadata. `md5Hash` is optional: composite objects (and objects some
 * tools write) have none, and then `hash` is absent: verify compares such an object by size (as
 * Medusa 0.31 does; 0.30 required the field), and a differential never reuses it (its content
 * cannot be confirmed; `plan/backup-plan.ts`).
 */
export function gcsObjectInfo(key: string, m: GcsMetadata): ObjectInfo {
  return {
    key,
    size: Number(m.size ?? 0),
    lastModified: m.updated ? new Date(m.updated) : new Date(0),
    ...(m.md5Hash && { hash: m.md5Hash }),
  };
}

/**
 * Builds the backend for a `google_storage` section (no request is made). A missing or malformed
 * key file is a `ConfigError` naming the provider and the file.
 */
export async function createGcsBackend(storage: Readonly<StorageSection>, env: NodeJS.ProcessEnv = process.env): Promise<GcsBackend> {
  const settings = gcsSettingsFrom(storage, env);
  const key = settings.keyFile ? await readServiceAccountKey(settings.provider, settings.keyFile) : undefined;
  const options: StorageOptions = {
    // Waits of 1 s then 1.5 s (the default multiplier 2 doubles them); the retry wrapper waits
    // between whole attempts.
    retryOptions: { autoRetry: true, maxRetries: SDK_MAX_RETRIES, retryDelayMultiplier: 1.5, maxRetryDelay: 4 },
    timeout: settings.timeoutMs,
    ...(key && { credentials: { client_email: key.client_email, private_key: key.private_key } }),
    ...(key?.project_id !== undefined && { projectId: key.project_id }),
    ...(settings.apiEndpoint !== undefined && { apiEndpoint: settings.apiEndpoint, useAuthWithCustomEndpoint: key !== undefined }),
  };
  return new GcsBackend(settings, new Storage(options).bucket(settings.bucket));
}

/** Registry entry point (see `BackendModule`). */
export async function createBackend(storage: Readonly<StorageSection>, _context: BackendContext): Promise<StorageBackend> {
  return createGcsBackend(storage);
}
