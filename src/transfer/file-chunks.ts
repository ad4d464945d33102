/**
 * Reading a file as a sequence of chunks with the next read already in flight while the caller
 * works on the current chunk (hashes it, writes it), through three reused buffers: no allocation
 * per chunk, so a 100 GB file costs no more garbage collection than a small one.
 */
import type { FileHandle } from 'node:fs/promises';

/** Bytes per read. Large reads keep per-call overhead far below the cost of MD5 over the bytes. */
export const FILE_READ_BYTES = 1024 * 1024;

/**
 * Yields the file's bytes from `position` to its end, in order. A yielded chunk is a view of a
 * reused buffer: it stays valid until the caller asks for the chunk after the next one, which
 * leaves room for exactly one write of chunk k to be in flight while chunk k+1 is processed.
 */
export async function* readFileChunks(handle: FileHandle, chunkBytes: number = FILE_READ_BYTES, position = 0): AsyncGenerator<Buffer> {
  const buffers = [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)];
  let index = 0;
  let offset = position;
  const readInto = (buffer: Buffer, at: number) => handle.read(buffer, 0, buffer.length, at);
  let pending: ReturnType<typeof readInto> | undefined = readInto(buffers[0] as Buffer, offset);
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
