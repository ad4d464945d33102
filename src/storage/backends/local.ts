/**
 * The `local` provider: objects are files at `<base_path>/<bucket_name>/<key>`, the same tree
 * Python Medusa reads and writes, so either tool reads the other's backups.
 *
 * - `put` copies into a temporary file beside the destination while computing the hex MD5 (the
 *   hash Medusa writes into manifests for local storage), flushes it and renames it into place
 *   (a large file source: a kernel copy, whose MD5 is then computed on a worker thread);
 *   with `durable: false` it skips the flush and `flush` later syncs the whole file system once.
 * - `copyToFile` copies an object into a local file in the kernel, for downloads and restores.
 * - `stat` and `list` carry the MD5 recorded when the object was stored, while the file is still the
 *   one written then (`local-hash-records.ts`: records kept outside the bucket folder, so Python
 *   Medusa never sees them); no hash for other objects (written by Python Medusa, rewritten since):
 *   hashing a file to answer a listing would read the whole bucket.
 * - `delete` also removes the folders it leaves empty, up to the bucket folder, so a purge leaves a
 *   clean tree. Python Medusa only removes the file; empty folders change nothing for it (its
 *   listing skips folders), so both tools see the same objects.
 */
import { closeSync, constants, createReadStream, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { copyFile, mkdir, open, readdir, rmdir, stat, unlink } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { ConfigError } from '../../util/errors.js';
import { isTempFileName, placeFileAtomically, writeFileAtomically, writeSmallFileAtomicallySync, type WrittenFile } from '../../transfer/atomic-file.js';
import { HashWorkerPool } from '../../transfer/hash-pool.js';
import { syncFileSystem } from '../../transfer/file-system-sync.js';
import { chunkBuffers, readFileChunks, type ChunkBuffers } from '../../transfer/file-chunks.js';
import { ContentHasher, md5Hex, readSmallFileSync, SMALL_FILE_BYTES } from '../../transfer/hashing.js';
import { byteSlices, FILE_CHUNK_BYTES, openByteSource } from '../byte-source.js';
import { ConflictError, InvalidRangeError, NotFoundError, StorageError } from '../errors.js';
import { assertListPrefix, assertObjectKey, InvalidKeyError } from '../key-rules.js';
import type { BackendContext } from '../registry.js';
import type {
  ByteSource,
  CopyToFileOptions,
  DeleteManyResult,
  GetOptions,
  ListOptions,
  ObjectInfo,
  PutOptions,
  StorageBackend,
  StorageCapabilities,
} from '../types.js';
import type { StorageSection } from '../../config/types.js';
import { errnoCode, mapLocalError } from './local-errors.js';
import { HashRecords, recordedHash, type HashRecord } from './local-hash-records.js';
import { sourceHashStandsForCopy } from './local-source-hash.js';
import { listLocalKeys, listLocalTree, type FolderHashes } from './local-list.js';
import { deleteEach } from '../delete-each.js';
import { flattenPages } from '../pages.js';
import { wholeBody } from '../whole-body.js';
import { SyncSlices } from '../../util/sync-slices.js';

/** File sources at least this large are stored by a kernel copy hashed on a worker thread. */
const KERNEL_COPY_BYTES = 4 * 1024 * 1024;

/** Hashing threads: the machine's cores, at most 4. */
const HASH_THREADS = Math.min(4, availableParallelism());

/** `get` and `stat` work on this thread (see `get` why), yielding to the event loop between slices. */
const getSlices = new SyncSlices();

/** Where a `LocalBackend` keeps its objects. */
export interface LocalBackendOptions {
  /** The bucket folder, `<base_path>/<bucket_name>`; created if missing. */
  readonly root: string;
  /** Name used in messages (default `local`). */
  readonly provider?: string;
  /**
   * Where the stored-MD5 records live (`local-hash-records.ts`); default
   * `<parent of root>/.medusa-ts/stored-md5/<name of root>`, which is what `createBackend` gives
   * for `<base_path>/<bucket_name>` with a one-segment bucket name.
   */
  readonly recordsRoot?: string;
}

/** The records folder of a bucket folder: `<base_path>/.medusa-ts/stored-md5/<bucket_name>`. */
export function defaultRecordsRoot(basePath: string, bucketName: string): string {
  return join(basePath, '.medusa-ts', 'stored-md5', bucketName);
}

/** Objects as files under one folder. See the module comment for the exact semantics. */
export class LocalBackend implements StorageBackend {
  readonly provider: string;
  readonly capabilities: StorageCapabilities = { hashKind: 'md5-hex', maxDeleteBatch: 1000, listingHasHash: false, localFileCopy: true };
  /** The bucket folder. */
  readonly root: string;
  /** Hashing threads for `putByKernelCopy`, started on first use (idle ones never keep the process alive). */
  private hashThreads: HashWorkerPool | undefined;
  /** The MD5 of each object this backend stored (see the module comment). */
  readonly records: HashRecords;

  constructor(options: LocalBackendOptions) {
    this.root = resolve(options.root);
    this.provider = options.provider ?? 'local';
    this.records = new HashRecords(resolve(options.recordsRoot ?? defaultRecordsRoot(dirname(this.root), basename(this.root))));
  }

  /** The file that holds `key` (the key is validated first). */
  pathOf(key: string): string {
    assertObjectKey(this.provider, key);
    if (isTempFileName(basename(key))) {
      throw new InvalidKeyError(`${this.provider}: refusing object key ${JSON.stringify(key)}: names starting with .medusa-tmp- are reserved for temporary files`);
    }
    return join(this.root, key);
  }

  async put(key: string, source: ByteSource, options: PutOptions = {}): Promise<ObjectInfo> {
    const path = this.pathOf(key);
    if (source.kind === 'file') {
      const size = fileSize(source.path);
      if (size >= KERNEL_COPY_BYTES) return this.putByKernelCopy(key, path, source.path, options);
      if (size >= 0 && size <= SMALL_FILE_BYTES) {
        const small = await this.putSmallFile(key, path, source.path, options);
        if (small) return small;
      }
    }
    const declared = source.kind === 'stream' ? source.size : source.kind === 'bytes' ? source.data.length : undefined;
    const hasher = new ContentHasher({ md5: true }, declared);
    const buffers = source.kind === 'file' ? chunkBuffers.acquire() : undefined;
    try {
      const body = source.kind === 'file' && buffers ? fileChunks(source.path, buffers) : source.kind === 'bytes' ? byteSlices(source.data) : openByteSource(source);
      const written = await writeFileAtomically(path, body, {
        hasher,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.durable === false ? { durable: false } : {}),
        verify: ({ size }) => {
          if (declared !== undefined && size !== declared) {
            throw new ConflictError(`${this.provider}: put ${key}: the source gave ${size} bytes, ${declared} were announced`);
          }
        },
      });
      const md5 = hasher.digest().md5Hex ?? '';
      await this.records.record(key, written.size, written.stamp, md5, options.durable !== false);
      return { key, size: written.size, lastModified: written.mtime, hash: md5 };
    } catch (err) {
      throw mapLocalError(this.provider, `put ${key}`, err);
    } finally {
      // Only now: writeFileAtomically has settled every write of the buffers' chunks.
      if (buffers) chunkBuffers.release(buffers);
    }
  }

  /**
   * `put` of a small file (most of a snapshot's: TOC, Digest, Filter, Statistics...), read, hashed,
   * written and renamed into place synchronously, with no thread-pool round trip per step: the
   * asynchronous path cost about 0.6 ms of CPU per file (20,000 files of 1-16 KiB). The same
   * promises as the general path (`writeSmallFileAtomicallySync`). `undefined` when the file grew
   * past the small size since it was measured (then the general path).
   */
  private async putSmallFile(key: string, path: string, sourcePath: string, options: PutOptions): Promise<ObjectInfo | undefined> {
    options.signal?.throwIfAborted();
    let written: WrittenFile;
    let md5: string;
    try {
      // No await between the read and the write: the bytes are a view of a reused buffer.
      const bytes = readSmallFileSync(sourcePath);
      if (!bytes) return undefined;
      md5 = md5Hex(bytes);
      written = writeSmallFileAtomicallySync(path, bytes, options.durable === false ? { durable: false } : {});
    } catch (err) {
      throw mapLocalError(this.provider, `put ${key}`, err);
    }
    await this.records.record(key, written.size, written.stamp, md5, options.durable !== false);
    return { key, size: written.size, lastModified: written.mtime, hash: md5 };
  }

  /**
   * `put` of a large file: a kernel copy and, at the same time on a hashing thread, the MD5 of the
   * source. Moving the bytes through JavaScript (read, hash, write) cost about 2.5x the CPU of `cp`
   * + `md5sum`, and MD5 on the main thread used one core whatever the number of files in flight;
   * hashing the copy after it was made kept one core idle per file (the 2 GB bench node with one
   * file in flight: copy, then hash). The source's MD5 is recorded for the copy only when the
   * source provably did not change meanwhile (`local-source-hash.ts`); otherwise the copy itself
   * is hashed.
   */
  private async putByKernelCopy(key: string, path: string, sourcePath: string, options: PutOptions): Promise<ObjectInfo> {
    let md5 = '';
    try {
      const startedNs = BigInt(Date.now()) * 1_000_000n;
      const before = await stat(sourcePath, { bigint: true });
      const written = await placeFileAtomically(path, async (temp) => {
        const [, source] = await Promise.all([copyFile(sourcePath, temp, constants.COPYFILE_FICLONE), this.hashPool().hashFile(sourcePath, { md5: true })]);
        const [after, copy] = await Promise.all([stat(sourcePath, { bigint: true }), stat(temp, { bigint: true })]);
        const stands = sourceHashStandsForCopy(before, after, startedNs, source.size, copy.size);
        md5 = (stands ? source : await this.hashPool().hashFile(temp, { md5: true })).md5Hex ?? '';
      }, { ...(options.signal ? { signal: options.signal } : {}), ...(options.durable === false ? { durable: false } : {}) });
      await this.records.record(key, written.size, written.stamp, md5, options.durable !== false);
      return { key, size: written.size, lastModified: written.mtime, hash: md5 };
    } catch (err) {
      throw mapLocalError(this.provider, `put ${key}`, err);
    }
  }

  private hashPool(): HashWorkerPool {
    this.hashThreads ??= new HashWorkerPool(HASH_THREADS);
    return this.hashThreads;
  }

  async get(key: string, options: GetOptions = {}): Promise<Readable> {
    const path = this.pathOf(key);
    options.signal?.throwIfAborted();
    // Descriptor calls on this thread, in slices that let the event loop in: a FileHandle and four
    // thread-pool hops per object made the catalog's read of thousands of small manifests (the
    // agent's first GetBackups) three times slower, for calls that take microseconds each.
    if (getSlices.due()) await getSlices.next();
    let fd: number | undefined;
    try {
      // Non-blocking open: a FIFO (or a device) under the bucket must not hang this thread waiting
      // for a writer; a regular file ignores the flag.
      fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
      const st = fstatSync(fd);
      if (st.isDirectory()) throw new NotFoundError(`${this.provider}: get ${key}: no such object (a folder has that name)`);
      if (!st.isFile()) throw new StorageError(`${this.provider}: get ${key}: ${path} is not a regular file`);
      const { start, end } = this.resolveRange(key, st.size, options);
      // No range: the whole object, `end` open (Infinity) for the stream; its size now for a small one.
      const length = (end === Infinity ? st.size - 1 : end) - start + 1;
      if (length <= FILE_CHUNK_BYTES) {
        // A small object (a tokenmap, a manifest, a marker) is read in one call: a file stream costs
        // several times more CPU per object, which shows when the catalog reads thousands of them.
        const bytes = readRangeSync(fd, start, length);
        const closing = fd;
        fd = undefined;
        closeSync(closing);
        return wholeBody(bytes);
      }
      const stream = createReadStream(path, { fd, start, end, highWaterMark: FILE_CHUNK_BYTES, autoClose: true });
      fd = undefined; // the stream owns it now
      if (options.signal) {
        const signal = options.signal;
        const onAbort = (): void => {
          stream.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        stream.once('close', () => signal.removeEventListener('abort', onAbort));
      }
      return stream;
    } catch (err) {
      if (fd !== undefined) closeQuietly(fd);
      const code = errnoCode(err);
      // A folder by that name, or a file where the key needs a folder: no such object either way.
      if (code === 'EISDIR' || code === 'ENOTDIR') throw new NotFoundError(`${this.provider}: get ${key}: no such object`, { cause: err });
      throw mapLocalError(this.provider, `get ${key}`, err);
    }
  }

  private resolveRange(key: string, size: number, options: GetOptions): { start: number; end: number } {
    const range = options.range;
    if (!range) return { start: 0, end: Infinity };
    const last = range.end === undefined ? size - 1 : Math.min(range.end, size - 1);
    if (!Number.isInteger(range.start) || range.start < 0 || range.start >= size || last < range.start) {
      throw new InvalidRangeError(`${this.provider}: get ${key}: range ${range.start}-${range.end ?? ''} is outside the object's ${size} bytes`);
    }
    return { start: range.start, end: last };
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    const path = this.pathOf(key);
    // On this thread, as `get` reads: a stat and a few hundred bytes of hash log take microseconds,
    // five thread-pool hops took most of the agent's BackupStatus.
    if (getSlices.due()) await getSlices.next();
    try {
      const st = statSync(path, { bigint: true });
      if (!st.isFile()) return undefined;
      const hash = recordedHash(this.records.ofSync(key), st);
      return { key, size: Number(st.size), lastModified: st.mtime, ...(hash !== undefined ? { hash } : {}) };
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw mapLocalError(this.provider, `stat ${key}`, err);
    }
  }

  list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    return flattenPages(this.listPages(prefix, options));
  }

  async *listPages(prefix: string, options: ListOptions = {}): AsyncIterable<readonly ObjectInfo[]> {
    assertListPrefix(this.provider, prefix);
    try {
      yield* listLocalTree(this.root, prefix, options.signal, this.folderHashes);
    } catch (err) {
      throw mapLocalError(this.provider, `list ${prefix || '(whole bucket)'}`, err);
    }
  }

  /** The listing's view of the records: a folder's log read once, compacted when it grew far past the folder. */
  private readonly folderHashes: FolderHashes = {
    forFolder: (dirKey) => {
      const records = this.records.folderSync(dirKey);
      return {
        hashOf: (name, st) => recordedHash(records.get(name), st),
        done: async (whole, given) => {
          if (!whole) return;
          const live = new Map<string, HashRecord>();
          for (const name of given.keys()) live.set(name, records.get(name)!);
          await this.records.compact(dirKey, records, live);
        },
      };
    },
  };

  async *listKeys(prefix: string, options: ListOptions = {}): AsyncIterable<readonly string[]> {
    assertListPrefix(this.provider, prefix);
    try {
      yield* listLocalKeys(this.root, prefix, options.signal);
    } catch (err) {
      throw mapLocalError(this.provider, `list ${prefix || '(whole bucket)'}`, err);
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await unlink(path);
    } catch (err) {
      const code = errnoCode(err);
      // Missing, or a folder by that name (not an object): nothing to delete.
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return;
      throw mapLocalError(this.provider, `delete ${key}`, err);
    }
    await this.pruneEmptyFolders(dirname(path));
  }

  /** Removes `dir` and its parents while they are empty, stopping at the bucket folder; their records go too. */
  private async pruneEmptyFolders(dir: string): Promise<void> {
    while (dir.length > this.root.length && dir.startsWith(this.root)) {
      try {
        await rmdir(dir);
        await this.records.forgetFolder(`${relative(this.root, dir).split(sep).join('/')}/`);
      } catch (err) {
        // Not empty (or just made non-empty by a concurrent put): the tree above is in use.
        if (errnoCode(err) !== 'ENOENT') return;
      }
      dir = dirname(dir);
    }
    // The bucket folder itself stays, but once it holds nothing its records log is stale too (an
    // object stored at the top, such as doctor's probe without a prefix, leaves one behind).
    if (dir === this.root && (await readdir(dir).catch(() => ['?'])).length === 0) await this.records.forgetFolder('');
  }

  deleteMany(keys: readonly string[]): Promise<DeleteManyResult> {
    return deleteEach(keys, (key) => this.delete(key));
  }

  /** A kernel copy of the object's file (a reflink where the file system has them). */
  async copyToFile(key: string, path: string, options: CopyToFileOptions = {}): Promise<{ size: number }> {
    const source = this.pathOf(key);
    options.signal?.throwIfAborted();
    try {
      await copyFile(source, path, constants.COPYFILE_FICLONE);
      return { size: (await stat(path)).size };
    } catch (err) {
      throw mapLocalError(this.provider, `copy ${key} to ${path}`, err);
    }
  }

  /** Syncs the file system holding the bucket folder (nothing to do when no object was ever put). */
  async flush(): Promise<void> {
    await this.records.flush();
    const present = await stat(this.root).then(() => true, (err: unknown) => {
      if (errnoCode(err) === 'ENOENT') return false;
      throw mapLocalError(this.provider, 'flush', err);
    });
    if (present) await syncFileSystem(this.root, `the ${this.provider} store's new objects`);
  }

  async close(): Promise<void> {
    // Records of unflushed puts are worth keeping (they only enable reuse; losing them is safe).
    await this.records.flush().catch(() => undefined);
    await this.hashThreads?.close();
    this.hashThreads = undefined;
  }
}

/** The size of the file at `path` (one synchronous stat: no thread-pool hop); -1 when it cannot be read (the regular path then reports why). */
function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
}

/** A file's bytes through reused buffers (the fast path of `put` from a file; see `readFileChunks`). */
async function* fileChunks(path: string, buffers: ChunkBuffers): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r');
  try {
    yield* readFileChunks(handle, buffers);
  } finally {
    await handle.close();
  }
}

/**
 * Registry entry point: the backend for a `[storage]` section with `storage_provider = local`.
 * Requires `base_path`; creates `<base_path>/<bucket_name>` like Medusa does.
 */
export async function createBackend(storage: Readonly<StorageSection>, _context: BackendContext): Promise<StorageBackend> {
  if (!storage.base_path) {
    throw new ConfigError([{ section: 'storage', key: 'base_path', message: 'is required with storage_provider = local' }]);
  }
  if (storage.bucket_name.split('/').some((s) => s === '..')) {
    throw new ConfigError([{ section: 'storage', key: 'bucket_name', message: `must not contain ".." (got ${JSON.stringify(storage.bucket_name)})` }]);
  }
  const root = join(storage.base_path, storage.bucket_name);
  try {
    await mkdir(root, { recursive: true });
  } catch (err) {
    throw mapLocalError('local', `create bucket folder ${root}`, err);
  }
  return new LocalBackend({ root, recordsRoot: defaultRecordsRoot(storage.base_path, storage.bucket_name) });
}

/** Exactly `length` bytes of the file from `start` (reads until done; a file that shrank is an error). */
function readRangeSync(fd: number, start: number, length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const bytesRead = readSync(fd, bytes, done, length - done, start + done);
    if (bytesRead === 0) throw new Error(`file shrank while reading: expected ${length} bytes from offset ${start}, got ${done}`);
    done += bytesRead;
  }
  return bytes;
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already failing with the error that matters.
  }
}
