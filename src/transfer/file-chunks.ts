/**
 * Reading a file as a sequence of chunks with the next read already in flight while the caller
 * works on the current chunk (hashes it, writes it), through three reused buffers. The buffers come
 * from a process-wide pool, so copying thousands of small SSTable components allocates (and
 * page-faults in) no fresh memory per file, and a 100 GB file costs no more garbage collection
 * than a small one.
 */
import type { FileHandle } from 'node:fs/promises';

/** Bytes per read. Large reads keep per-call overhead far below the cost of MD5 over the bytes. */
export const FILE_READ_BYTES = 1024 * 1024;

/** Buffers one `readFileChunks` call rotates through. */
export type ChunkBuffers = readonly [Buffer, Buffer, Buffer];

/**
 * Sets of buffers kept for reuse; at most `maxIdle` sets are kept while unused. With `shared`, the
 * buffers are views of `SharedArrayBuffer`s, which worker threads read in place (no copy per message).
 */
export class ChunkBufferPool {
  private readonly idle: ChunkBuffers[] = [];

  constructor(
    readonly chunkBytes: number = FILE_READ_BYTES,
    private readonly maxIdle = 8,
    private readonly shared = false,
  ) {}

  /** A set for one reader; give it back with `release` once every use of its chunks has ended. */
  acquire(): ChunkBuffers {
    const one = (): Buffer => (this.shared ? Buffer.from(new SharedArrayBuffer(this.chunkBytes)) : Buffer.allocUnsafe(this.chunkBytes));
    return this.idle.pop() ?? [one(), one(), one()];
  }

  /** Returns a set; it must not be used afterwards (its bytes will be overwritten). */
  release(buffers: ChunkBuffers): void {
    if (this.idle.length < this.maxIdle) this.idle.push(buffers);
  }

  /** Runs `fn` with a set, released when the promise settles. */
  async with<T>(fn: (buffers: ChunkBuffers) => Promise<T>): Promise<T> {
    const buffers = this.acquire();
    try {
      return await fn(buffers);
    } finally {
      this.release(buffers);
    }
  }
}

/** The process-wide pool (a few MiB at most stay allocated while idle). */
export const chunkBuffers = new ChunkBufferPool();

/**
 * The process-wide pool of staging buffers for network bodies written to files (see
 * `writeFileAtomically`'s `gatherBytes`), in shared memory so hash workers read them in place.
 */
export const stagingBuffers = new ChunkBufferPool(FILE_READ_BYTES, 8, true);

/**
 * Yields the file's bytes from `position` to its end, in order, read into `buffers` in turn. A
 * yielded chunk is a view of one of them: it stays valid until the caller asks for the chunk after
 * the next one, which leaves room for exactly one write of chunk k to be in flight while chunk k+1
 * is processed. The caller owns `buffers` and may reuse them only once it is done with every chunk.
 */
export async function* readFileChunks(handle: FileHandle, buffers: ChunkBuffers, position = 0): AsyncGenerator<Buffer> {
  let index = 0;
  let offset = position;
  const readInto = (buffer: Buffer, at: number) => handle.read(buffer, 0, buffer.length, at);
  let pending: ReturnType<typeof readInto> | undefined = readInto(buffers[0], offset);
  try {
    for (;;) {
      const { bytesRead, buffer } = await pending;
      pending = undefined;
      if (bytesRead === 0) return;
      offset += bytesRead;
      index = (index + 1) % buffers.length;
      pending = readInto(buffers[index] as Buffer, offset);
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    // A consumer that stops early must not leave a read running on a handle it is about to close.
    if (pending) await pending.catch(() => undefined);
  }
}
