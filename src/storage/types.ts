/**
 * The storage port: the small contract every backend (local, S3 family, GCS, Azure) implements.
 * Everything richer (JSON documents, listing into arrays, uploads with progress) is written once,
 * against this interface, in `storage/helpers.ts`.
 *
 * Keys are full object keys, prefix included, always with `/` separators and never a leading `/`.
 */
import type { Readable } from 'node:stream';

/** What a store reports about one object. */
export interface ObjectInfo {
  /** Full object key. */
  readonly key: string;
  /** Size in bytes, as the store reports it. */
  readonly size: number;
  /** Last modification time as the store reports it (Medusa reads backup start/finish times from it). */
  readonly lastModified: Date;
  /**
   * The hash the store reports, in the exact form Medusa writes into `manifest.json` as `MD5`
   * (reference §3.2): local hex MD5, S3 ETag without quotes (`<hex>` or `<hex>-<parts>`), GCS base64
   * `md5Hash`, Azure base64 Content-MD5 / ETag. `undefined` where the store gives none (the local
   * store gives only the MD5 it recorded when it stored the object, while the file is unchanged
   * since: see `backends/local.ts`).
   */
  readonly hash?: string;
}

/**
 * Bytes to store. A source can be opened again, so a failed attempt is retried from the start
 * (a consumed stream could not be).
 */
export type ByteSource =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'bytes'; readonly data: Uint8Array }
  | { readonly kind: 'stream'; readonly size: number; readonly open: () => Readable };

/** Inclusive byte range of a read; `end` omitted means to the end of the object. */
export interface ByteRange {
  readonly start: number;
  readonly end?: number;
}

export interface PutOptions {
  readonly signal?: AbortSignal;
  readonly contentType?: string;
  /**
   * `false` lets a store whose writes are not durable on return (local files) skip flushing this
   * object to disk; the caller then calls `flush` before anything relies on the object surviving a
   * crash (a backup flushes its data files once, before writing the manifest). Stores that are
   * durable on return (S3, GCS, Azure) ignore it. Default `true`.
   */
  readonly durable?: boolean;
}

export interface GetOptions {
  readonly signal?: AbortSignal;
  readonly range?: ByteRange;
}

export interface ListOptions {
  readonly signal?: AbortSignal;
}

/** Outcome of `deleteMany`: keys that could not be deleted, with the reason. */
export interface DeleteManyResult {
  readonly deleted: number;
  readonly failed: ReadonlyArray<{ readonly key: string; readonly error: Error }>;
}

/** How the store's reported hash is computed, so a local file can be compared with it. */
export type HashKind =
  /** hex MD5 of the content (local). */
  | 'md5-hex'
  /** base64 MD5 of the content (GCS md5Hash, Azure Content-MD5). */
  | 'md5-base64'
  /** S3 ETag: hex MD5 for a single PUT, `<md5 of part md5s>-<n>` for a multipart upload. */
  | 's3-etag'
  /** The store reports nothing comparable. */
  | 'none';

/** Facts about a backend that callers plan around. */
export interface StorageCapabilities {
  readonly hashKind: HashKind;
  /** Most keys one `deleteMany` request removes (1 where the store has no batch delete). */
  readonly maxDeleteBatch: number;
  /**
   * Whether `list` results carry a `hash` the store computed from the bytes it holds (object
   * stores: yes). The local store says no: its hashes are the ones recorded when objects were
   * stored, so a caller that must check the bytes themselves (`verify`) reads them.
   */
  readonly listingHasHash: boolean;
  /**
   * Whether `put` of a file source is a copy between this machine's own disks (the local store: a
   * kernel copy at disk speed). A caller showing progress may then put the file as a file and
   * count its bytes once it is stored, instead of metering a stream of it: metering costs more CPU
   * than the copy itself. Absent: false.
   */
  readonly localFileCopy?: boolean;
}

/**
 * One object store. Contract, for every implementation:
 * - `put` stores the whole source under `key` (overwriting), and resolves with the stored object's
 *   info, `size` and `hash` included, as a later `stat` would report them.
 * - `get` resolves with a stream of the object's bytes (or the requested range); it rejects with
 *   `NotFoundError` for a missing key before any byte is streamed. Its chunks are the reader's to
 *   keep: a backend never reuses a buffer it has pushed.
 * - `stat` resolves with the object's info, or `undefined` for a missing key.
 * - `list(prefix)` yields each object whose key starts with `prefix` (a plain string prefix, so
 *   callers that mean a folder pass a trailing `/`) exactly once, in ascending byte order of key,
 *   with pagination hidden. Folders are never yielded as objects.
 * - `delete` succeeds for a missing key. `deleteMany` deletes in batches of `maxDeleteBatch` and
 *   reports per-key failures instead of throwing on the first.
 * - Errors are the classes of `storage/errors.ts`; no SDK error escapes a backend.
 * - `close` releases connections; the backend is unusable afterwards.
 */
export interface StorageBackend {
  /** The `storage_provider` value this backend serves, for messages. */
  readonly provider: string;
  readonly capabilities: StorageCapabilities;
  put(key: string, source: ByteSource, options?: PutOptions): Promise<ObjectInfo>;
  get(key: string, options?: GetOptions): Promise<Readable>;
  stat(key: string): Promise<ObjectInfo | undefined>;
  list(prefix: string, options?: ListOptions): AsyncIterable<ObjectInfo>;
  /**
   * Optional: what `list(prefix)` yields, in the same order, in pages (non-empty arrays). Offered
   * by stores that list in pages anyway (a folder's files, a ListObjects response), so a caller
   * walking a large listing (a node's pool of 100,000 objects) pays one async step per page
   * instead of one per object and per wrapper. Callers use `listObjectPages` from
   * `storage/helpers.ts`, which falls back to `list`.
   */
  listPages?(prefix: string, options?: ListOptions): AsyncIterable<readonly ObjectInfo[]>;
  /**
   * Optional: the keys `list(prefix)` would yield, in the same order, without their metadata, in
   * pages (non-empty arrays). Offered by stores where metadata costs extra per object (local: one
   * `stat` per file), so a caller that needs only names (the catalog reading a 150,000-entry index)
   * pays neither that nor a per-key async step. Callers use `listKeyPages` from
   * `storage/helpers.ts`, which falls back to `list`.
   */
  listKeys?(prefix: string, options?: ListOptions): AsyncIterable<readonly string[]>;
  delete(key: string): Promise<void>;
  deleteMany(keys: readonly string[]): Promise<DeleteManyResult>;
  /**
   * Optional: makes every object put with `durable: false` durable. Offered only by stores where
   * that flag does something (local files: one file-system sync instead of one flush per object).
   * Callers use `flushStore` from `storage/helpers.ts`.
   */
  flush?(): Promise<void>;
  /**
   * Optional: writes the object's bytes into the local file `path` (created or replaced, not
   * flushed) by a cheaper means than `get`, and resolves with the size written. Offered by the
   * local store (a kernel copy: no byte passes through JavaScript). Rejects with `NotFoundError`
   * for a missing key. Callers use `downloadFile`, which falls back to `get`; a wrapper that must
   * see every byte (the bandwidth budget) does not offer it.
   */
  copyToFile?(key: string, path: string, options?: CopyToFileOptions): Promise<{ size: number }>;
  close(): Promise<void>;
}

/** Options of `StorageBackend.copyToFile`. */
export interface CopyToFileOptions {
  /** Checked before the copy starts (a kernel copy cannot be stopped part-way). */
  readonly signal?: AbortSignal;
}
