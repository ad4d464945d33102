/**
 * Everything richer than the port, written once against `StorageBackend` (never as methods on a
 * backend, so no backend grows Medusa's 45-method base class back): documents as text, listings
 * as arrays, file uploads and checked downloads with progress, batched deletes.
 */
import { stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { FILE_CHUNK_BYTES, pipeThrough } from './byte-source.js';
import { StorageError } from './errors.js';
import type { DeleteManyResult, HashKind, ListOptions, ObjectInfo, PutOptions, StorageBackend } from './types.js';
import { stagingBuffers } from '../transfer/file-chunks.js';
import type { HashWorkerPool } from '../transfer/hash-pool.js';
import { placeFileAtomically, writeFileAtomically } from '../transfer/atomic-file.js';
import { ContentHasher, hashFile, hashInStoreForm, specComputesHash, specToCheck, type ContentHashes } from '../transfer/hashing.js';
import { MeteredStream } from '../transfer/metered-stream.js';
import { wholeBodyBytes } from './whole-body.js';
import type { HashCache } from '../transfer/hash-cache.js';
import { AttemptProgress, type OnProgress } from '../transfer/progress.js';

/** The whole object as bytes (documents only: the object is held in memory). */
export async function getBytes(backend: StorageBackend, key: string, options: { signal?: AbortSignal } = {}): Promise<Buffer> {
  const body = await backend.get(key, options);
  const whole = wholeBodyBytes(body);
  if (whole) return whole;
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The whole object decoded as UTF-8 (manifests, tokenmaps, schema, markers). `NotFoundError` if missing. */
export async function getText(backend: StorageBackend, key: string, options: { signal?: AbortSignal } = {}): Promise<string> {
  return (await getBytes(backend, key, options)).toString('utf8');
}

/**
 * Stores `text` as UTF-8, byte for byte (no newline added), or bytes already encoded as they are,
 * and returns the stored object's info.
 */
export function putText(backend: StorageBackend, key: string, text: string | Uint8Array, options: PutOptions = {}): Promise<ObjectInfo> {
  return backend.put(key, { kind: 'bytes', data: typeof text === 'string' ? Buffer.from(text, 'utf8') : text }, options);
}

/** The whole listing of `prefix` as an array, in the backend's (ascending byte) order. */
export async function listAll(backend: StorageBackend, prefix: string, options: ListOptions = {}): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const page of listObjectPages(backend, prefix, options)) for (const info of page) out.push(info);
  return out;
}

/** Whether an object exists at `key` (a folder of other keys is not one). */
export async function exists(backend: StorageBackend, key: string): Promise<boolean> {
  return (await backend.stat(key)) !== undefined;
}

/** Options of `uploadFile`. */
export interface UploadFileOptions {
  readonly signal?: AbortSignal;
  /** Byte deltas as the backend reads the file; negative when a retry starts the file again. */
  readonly onProgress?: OnProgress;
  readonly contentType?: string;
  /**
   * When the backend reports the plain MD5 of what it stored (`md5-hex`: local, memory), the
   * upload's hash is recorded here for the file, so a later `--enable-md5-checks` comparison of
   * the unchanged file reads nothing.
   */
  readonly hashCache?: HashCache;
  /** Passed to `put` (see `PutOptions.durable`); the caller then owes a `flushStore`. */
  readonly durable?: boolean;
}

/**
 * Uploads the file at `localPath` to `key` and returns what the store reports (size and hash, the
 * values Medusa writes into manifests). The file is read as a reopenable stream, so a retried
 * attempt starts again from its first byte and its progress is taken back. If the file's size
 * changes while it is read the upload fails (backends check the announced size).
 */
export async function uploadFile(backend: StorageBackend, localPath: string, key: string, options: UploadFileOptions = {}): Promise<ObjectInfo> {
  const before = await stat(localPath, { bigint: true });
  const size = Number(before.size);
  const progress = new AttemptProgress(options.onProgress);
  const open = () => {
    progress.restart();
    const file = createReadStream(localPath, { highWaterMark: FILE_CHUNK_BYTES });
    return options.onProgress ? pipeThrough(file, new MeteredStream({ onBytes: (n) => progress.add(n) })) : file;
  };
  const info = await backend.put(key, { kind: 'stream', size, open }, {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.contentType ? { contentType: options.contentType } : {}),
    ...(options.durable !== undefined ? { durable: options.durable } : {}),
  });
  if (options.hashCache && backend.capabilities.hashKind === 'md5-hex' && info.hash && info.size === size) {
    options.hashCache.recordMd5(before, await stat(localPath, { bigint: true }), info.hash);
  }
  return info;
}

/**
 * Makes every object put with `durable: false` durable (a no-op for stores that are durable on
 * return). Resolves only once they are; rejects if the store cannot flush.
 */
export async function flushStore(backend: StorageBackend): Promise<void> {
  await backend.flush?.();
}

/** A downloaded file did not match what the manifest says (size or hash). Not retryable here. */
export class IntegrityError extends StorageError {}

/** Options of `downloadFile`: what the downloaded bytes must match. */
export interface DownloadFileOptions {
  /** Size the object must have (from the manifest); checked before the file is put in place. */
  readonly expectedSize?: number;
  /**
   * Hash the object must have, in the store's form (the manifest's `MD5`); `undefined` or `null`
   * (Medusa writes `null` for reused local objects) checks the size only.
   */
  readonly expectedHash?: string | null;
  /** Form of `expectedHash`; default the backend's `capabilities.hashKind`. */
  readonly hashKind?: HashKind;
  /** Part size used by the upload; needed to check an S3 multipart ETag (`<hex>-<n>`). */
  readonly partSize?: number;
  readonly signal?: AbortSignal;
  /** Byte deltas as the file is written. */
  readonly onProgress?: OnProgress;
  /** Flush the file to disk before it is renamed into place (default true; see `writeFileAtomically`). */
  readonly durable?: boolean;
  /**
   * Hash on these worker threads instead of the calling one, while the file is written (each staged
   * 1 MiB piece is read in place, in shared memory, as it is written): for large files, so MD5 runs
   * on every core, nothing is read back, and no pass is left after the last byte. Streamed
   * downloads only (a kernel copy hashes as before).
   */
  readonly hashPool?: HashWorkerPool;
}

/** What a download checked. */
export interface DownloadResult {
  readonly size: number;
  /** True when the content hash was computed and compared; false when only the size could be. */
  readonly hashChecked: boolean;
}

/**
 * Downloads `key` into `localPath`: writes a temporary file beside it (creating missing folders),
 * checks size and hash, then renames it into place. On a mismatch (`IntegrityError`) or any
 * failure `localPath` is left as it was. The bytes stream through a hasher (memory stays a few
 * chunks whatever the size), or, where the backend offers `copyToFile` (local storage), are
 * copied by the kernel and the copy is hashed afterwards: the same checks, without moving every
 * byte through JavaScript twice.
 */
export async function downloadFile(backend: StorageBackend, key: string, localPath: string, options: DownloadFileOptions = {}): Promise<DownloadResult> {
  const kind = options.hashKind ?? backend.capabilities.hashKind;
  const expectedHash = options.expectedHash ?? undefined;
  const spec = expectedHash === undefined ? {} : specToCheck(kind, expectedHash, options.partSize);
  const hashChecked = specComputesHash(spec);
  const check = (size: number, hashes: (() => ContentHashes) | undefined): void => {
    if (options.expectedSize !== undefined && size !== options.expectedSize) {
      throw new IntegrityError(`${backend.provider}: download ${key}: got ${size} bytes, the manifest says ${options.expectedSize}`);
    }
    if (!hashes) return;
    const actual = hashInStoreForm(kind, hashes());
    if (actual !== expectedHash) {
      throw new IntegrityError(`${backend.provider}: download ${key}: content hash ${actual} differs from the manifest's ${expectedHash}`);
    }
  };
  const copy = backend.copyToFile?.bind(backend);
  if (copy) {
    const written = await placeFileAtomically(localPath, async (temp) => {
      const { size } = await copy(key, temp, options.signal ? { signal: options.signal } : {});
      options.onProgress?.(size);
      const hashes = hashChecked ? await hashFile(temp, spec) : undefined;
      check(size, hashes ? () => hashes : undefined);
    }, { ...(options.signal ? { signal: options.signal } : {}), ...(options.durable === false ? { durable: false } : {}) });
    return { size: written.size, hashChecked };
  }
  const progress = new AttemptProgress(options.onProgress);
  const body = await backend.get(key, options.signal ? { signal: options.signal } : {});
  const metered = options.onProgress ? pipeThrough(body, new MeteredStream({ onBytes: (n) => progress.add(n) })) : body;
  const pool = hashChecked ? options.hashPool : undefined;
  const common = {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.durable === false ? { durable: false } : {}),
    staging: stagingBuffers,
  };
  if (pool) {
    const streamed = pool.hashStream(spec, options.expectedSize);
    let finished = false;
    try {
      const written = await writeFileAtomically(localPath, metered, {
        ...common,
        onStaged: (piece) => streamed.update(piece),
        verify: async ({ size }) => {
          finished = true;
          const hashes = await streamed.finish();
          check(size, () => hashes);
        },
      });
      return { size: written.size, hashChecked };
    } finally {
      if (!finished) streamed.cancel();
    }
  }
  const hasher = new ContentHasher(spec, options.expectedSize);
  const written = await writeFileAtomically(localPath, metered, {
    ...common,
    hasher,
    verify: ({ size }) => check(size, hashChecked ? () => hasher.digest() : undefined),
  });
  return { size: written.size, hashChecked };
}

export interface DeleteManyOptions {
  /** Called after each batch with the running totals. */
  readonly onBatch?: (done: { deleted: number; failed: number }) => void;
}

/**
 * Deletes `keys` in batches of the backend's `maxDeleteBatch`, one batch at a time, and reports
 * every key that could not be deleted (missing keys count as deleted).
 */
export async function deleteMany(backend: StorageBackend, keys: readonly string[], options: DeleteManyOptions = {}): Promise<DeleteManyResult> {
  const batch = Math.max(1, backend.capabilities.maxDeleteBatch);
  let deleted = 0;
  const failed: Array<{ key: string; error: Error }> = [];
  for (let i = 0; i < keys.length; i += batch) {
    const result = await backend.deleteMany(keys.slice(i, i + batch));
    deleted += result.deleted;
    failed.push(...result.failed);
    options.onBatch?.({ deleted, failed: failed.length });
  }
  return { deleted, failed };
}

/** Keys per page when `listKeyPages` or `listObjectPages` falls back to `list`. */
const KEY_PAGE_SIZE = 1000;

/**
 * The listing of `prefix` in pages (non-empty arrays, ascending order): the backend's own pages
 * where it has them (`StorageBackend.listPages`), else `list` gathered into pages.
 */
export async function* listObjectPages(backend: StorageBackend, prefix: string, options: ListOptions = {}): AsyncIterable<readonly ObjectInfo[]> {
  if (backend.listPages) {
    yield* backend.listPages(prefix, options);
    return;
  }
  let page: ObjectInfo[] = [];
  for await (const info of backend.list(prefix, options)) {
    page.push(info);
    if (page.length >= KEY_PAGE_SIZE) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

/**
 * The keys under `prefix`, in ascending order, in pages (non-empty arrays): the backend's own
 * keys-only listing where it has one (cheaper on local storage), else `list` without its metadata.
 */
export async function* listKeyPages(backend: StorageBackend, prefix: string, options: ListOptions = {}): AsyncIterable<readonly string[]> {
  if (backend.listKeys) {
    yield* backend.listKeys(prefix, options);
    return;
  }
  let page: string[] = [];
  for await (const info of backend.list(prefix, options)) {
    page.push(info.key);
    if (page.length >= KEY_PAGE_SIZE) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}
