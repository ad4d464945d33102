/**
 * Writing a file so that readers see either the old content or the complete new one, never a part:
 * bytes go to a temporary file beside the destination (same folder, so same file system), are
 * flushed to disk, and the temporary file is renamed over the destination.
 *
 * Temporary names start with `.medusa-tmp-`. No SSTable component, Medusa document or secondary
 * index folder can start that way (Cassandra names start with a version or a table/index name,
 * index folders with `.` followed by an identifier, which cannot contain `-`), so listings can
 * skip such files safely, and a crash leaves at worst a file every listing ignores.
 */
import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ChunkBufferPool } from './file-chunks.js';
import type { ContentHasher } from './hashing.js';

/** Prefix of every temporary file name this project writes. */
export const TEMP_FILE_PREFIX = '.medusa-tmp-';

/** True for a file name (last path segment) that is one of our temporary files. */
export function isTempFileName(name: string): boolean {
  return name.startsWith(TEMP_FILE_PREFIX);
}

/**
 * A fresh temporary path in the same folder as `destination`. The name does not end like the
 * destination's: a temporary file left by a crash in a Cassandra table folder must not look like an
 * SSTable component (`*-Data.db`) to Cassandra, `nodetool refresh` or a shell glob.
 */
export function tempPathBeside(destination: string): string {
  return join(dirname(destination), `${TEMP_FILE_PREFIX}${randomBytes(8).toString('hex')}`);
}

/**
 * Removes the temporary files a crashed writer left under `root` (recursively) whose last
 * modification is older than `olderThanMs` before `now` (so writes in progress are spared).
 * Returns how many were removed. A missing `root` removes nothing.
 */
export async function removeStaleTempFiles(root: string, olderThanMs: number, now: number): Promise<number> {
  let removed = 0;
  let entries: Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  for (const entry of entries) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) {
      removed += await removeStaleTempFiles(path, olderThanMs, now);
    } else if (entry.isFile() && isTempFileName(entry.name)) {
      const { mtimeMs } = await stat(path);
      if (now - mtimeMs >= olderThanMs) {
        await unlink(path).catch(() => undefined);
        removed += 1;
      }
    }
  }
  return removed;
}

/** Options of `writeFileAtomically`. */
export interface AtomicWriteOptions {
  /** Sees every byte written, in order (the hash is computed while copying, not after). */
  readonly hasher?: ContentHasher;
  /** Aborting stops the copy, removes the temporary file and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Last check before the rename (size, hash); throwing (or rejecting) keeps the destination
   * untouched. May be async: the temporary file stays open and in place until it settles.
   */
  readonly verify?: (written: { size: number }) => void | Promise<void>;
  /**
   * Flush the file to disk before the rename (default true). A caller writing many files may pass
   * false and make them durable together afterwards (one file-system sync), so the writes are not
   * serialised on the disk's flush latency.
   */
  readonly durable?: boolean;
  /**
   * Copy the source's chunks into buffers of this pool (in turn, three per file) and write those
   * whole: for network bodies, which arrive as fresh 16-64 KiB buffers. Without it each chunk costs
   * a write call (a thread-pool round trip), and chunks kept until written outlive V8's young
   * generation, which turns their garbage into full collections. The source's chunks are not kept.
   */
  readonly staging?: ChunkBufferPool;
  /**
   * With `staging`: sees each staged piece, in order, while it is being written (a hash worker
   * reads it in place); the piece's memory is reused once the returned promise settles.
   */
  readonly onStaged?: (piece: Buffer) => Promise<void>;
}

/** What was written. */
export interface WrittenFile {
  readonly size: number;
  readonly mtime: Date;
  /** Inode and mtime (ns) of the file, taken before the rename (which keeps both): who wrote these bytes can be told later. */
  readonly stamp: FileStamp;
}

/** What tells one written file from a later rewrite of the same path. */
export interface FileStamp {
  readonly ino: bigint;
  readonly mtimeNs: bigint;
}

/** Attempts at creating the temporary file when a concurrent delete removed the empty folder. */
const CREATE_ATTEMPTS = 5;

async function createTemp(destination: string): Promise<{ handle: FileHandle; path: string }> {
  for (let attempt = 1; ; attempt++) {
    await mkdir(dirname(destination), { recursive: true });
    const path = tempPathBeside(destination);
    try {
      return { handle: await open(path, 'wx'), path };
    } catch (err) {
      // A delete elsewhere may prune the folder between mkdir and open: make it again.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= CREATE_ATTEMPTS) throw err;
    }
  }
}

/**
 * Copies `source` into `destination` atomically (see the module comment), creating missing
 * folders. Hashing overlaps with writing: while chunk k is being written, chunk k+1 is hashed, and
 * the source reads ahead, so the copy costs about max(read, hash, write), not their sum. Memory is a
 * few chunks whatever the size. On any failure the temporary file is removed and the source destroyed.
 *
 * `source` may reuse its buffers (as `readFileChunks` does): a chunk is only used until the chunk
 * after the next one is requested.
 */
export async function writeFileAtomically(destination: string, source: Readable | AsyncIterable<Buffer> | Iterable<Buffer>, options: AtomicWriteOptions = {}): Promise<WrittenFile> {
  const { signal, hasher } = options;
  signal?.throwIfAborted();
  const { handle, path } = await createTemp(destination);
  let closed = false;
  // A stalled source would keep the loop below waiting forever: aborting must wake it.
  const onAbort = (): void => {
    if (isReadable(source)) source.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const staged = options.staging ? new StagedWriter(handle, options.staging, options.onStaged) : undefined;
  let pending: Promise<unknown> | undefined;
  try {
    let size = 0;
    for await (const chunk of source as AsyncIterable<Buffer> | Iterable<Buffer>) {
      signal?.throwIfAborted();
      hasher?.update(chunk);
      if (staged) {
        await staged.add(chunk);
        continue;
      }
      if (pending) await pending;
      pending = writeAll(handle, chunk, size);
      size += chunk.length;
    }
    if (pending) await pending;
    if (staged) size = await staged.end();
    signal?.throwIfAborted();
    await options.verify?.({ size });
    signal?.throwIfAborted();
    if (options.durable !== false) await handle.sync();
    const st = await handle.stat({ bigint: true });
    closed = true;
    await handle.close();
    await rename(path, destination);
    return { size, mtime: st.mtime, stamp: { ino: st.ino, mtimeNs: st.mtimeNs } };
  } catch (err) {
    if (isReadable(source)) source.destroy();
    // Never close the file under a write still in flight (its failure would go unobserved).
    if (pending) await pending.catch(() => undefined);
    await staged?.settle();
    if (!closed) await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    staged?.release();
  }
}

/**
 * Copies chunks into a ring of three staging buffers and writes each one whole once full, while
 * the next fills; a full buffer is also handed to `onStaged`. A buffer is refilled only once its
 * write and `onStaged` have settled, so at most two are in flight.
 */
class StagedWriter {
  private readonly ring: readonly Buffer[];
  private readonly inFlight: Array<Promise<void> | undefined> = [undefined, undefined, undefined];
  private index = 0;
  private fill = 0;
  private size = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly pool: ChunkBufferPool,
    private readonly onStaged: ((piece: Buffer) => Promise<void>) | undefined,
  ) {
    this.ring = pool.acquire();
  }

  /** Copies `chunk` in, writing every buffer it fills. */
  async add(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      const buffer = this.ring[this.index] as Buffer;
      const copied = chunk.copy(buffer, this.fill, offset);
      this.fill += copied;
      offset += copied;
      if (this.fill === buffer.length) await this.flush();
    }
  }

  /** Writes what is left; resolves with the total size once every write has completed. */
  async end(): Promise<number> {
    if (this.fill > 0) await this.flush();
    for (let i = 0; i < this.inFlight.length; i++) {
      const write = this.inFlight[i];
      this.inFlight[i] = undefined;
      await write;
    }
    return this.size;
  }

  /** Waits for every write in flight, ignoring failures (before the file is closed on an error). */
  async settle(): Promise<void> {
    for (let i = 0; i < this.inFlight.length; i++) {
      await this.inFlight[i]?.catch(() => undefined);
      this.inFlight[i] = undefined;
    }
  }

  /** Gives the ring back; call only once nothing is in flight. */
  release(): void {
    if (this.inFlight.every((p) => p === undefined)) this.pool.release(this.ring as [Buffer, Buffer, Buffer]);
  }

  private async flush(): Promise<void> {
    const piece = (this.ring[this.index] as Buffer).subarray(0, this.fill);
    const work = Promise.all([writeAll(this.handle, piece, this.size), this.onStaged?.(piece)]).then(() => undefined);
    work.catch(() => undefined); // observed in order, below or in `end`
    this.inFlight[this.index] = work;
    this.size += this.fill;
    this.fill = 0;
    this.index = (this.index + 1) % this.ring.length;
    const previous = this.inFlight[this.index];
    this.inFlight[this.index] = undefined;
    await previous;
  }
}

/**
 * The same promise as `writeFileAtomically` for content written by other means (a kernel copy):
 * `fill` writes the temporary file at the path it is given (it may replace it) and may check it
 * (throwing keeps the destination untouched); then the file is flushed (unless `durable` is false)
 * and renamed over `destination`. On any failure the temporary file is removed.
 */
export async function placeFileAtomically(destination: string, fill: (tempPath: string) => Promise<void>,
  options: Pick<AtomicWriteOptions, 'signal' | 'durable'> = {}): Promise<WrittenFile> {
  options.signal?.throwIfAborted();
  const { handle, path } = await createTemp(destination);
  await handle.close();
  try {
    await fill(path);
    options.signal?.throwIfAborted();
    const done = await open(path, 'r+');
    let written: WrittenFile;
    try {
      if (options.durable !== false) await done.sync();
      const st = await done.stat({ bigint: true });
      written = { size: Number(st.size), mtime: st.mtime, stamp: { ino: st.ino, mtimeNs: st.mtimeNs } };
    } finally {
      await done.close();
    }
    await rename(path, destination);
    return written;
  } catch (err) {
    await unlink(path).catch(() => undefined);
    throw err;
  }
}

/**
 * `writeFileAtomically` for bytes already in memory, synchronously: the temporary file beside
 * `destination` written in one go, flushed unless `durable` is false, then renamed into place; on
 * any failure it is removed and the destination is untouched. For small objects, where the
 * asynchronous path's ten or so thread-pool round trips (folder, open, write, stat, close, rename)
 * cost more CPU than the bytes (local storage, 20,000 files of 1-16 KiB: about 0.6 ms per file).
 */
export function writeSmallFileAtomicallySync(destination: string, bytes: Uint8Array, options: Pick<AtomicWriteOptions, 'durable'> = {}): WrittenFile {
  let fd: number | undefined;
  let path = '';
  for (let attempt = 1; fd === undefined; attempt++) {
    mkdirSync(dirname(destination), { recursive: true });
    path = tempPathBeside(destination);
    try {
      fd = openSync(path, 'wx');
    } catch (err) {
      // A delete elsewhere may prune the folder between mkdir and open: make it again.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= CREATE_ATTEMPTS) throw err;
    }
  }
  try {
    try {
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
      if (options.durable !== false) fsyncSync(fd);
      const st = fstatSync(fd, { bigint: true });
      closeSync(fd);
      fd = undefined;
      renameSync(path, destination);
      return { size: bytes.length, mtime: st.mtime, stamp: { ino: st.ino, mtimeNs: st.mtimeNs } };
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  } catch (err) {
    try {
      unlinkSync(path);
    } catch {
      // Already gone (the rename happened) or never made: nothing to remove.
    }
    throw err;
  }
}

function isReadable(source: Readable | AsyncIterable<Buffer> | Iterable<Buffer>): source is Readable {
  return typeof (source as Readable).destroy === 'function';
}

async function writeAll(handle: FileHandle, chunk: Buffer, position: number): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset, position + offset);
    offset += bytesWritten;
  }
}
