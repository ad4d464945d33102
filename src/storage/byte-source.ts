/**
 * Opening a `ByteSource` as a stream, for backends and wrappers. Each call opens the source afresh,
 * which is what lets a failed attempt start again from the first byte.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, type Transform } from 'node:stream';
import type { ByteSource } from './types.js';

/**
 * Read size for files. Large enough that per-chunk overhead (hash update call, write syscall, token
 * bucket bookkeeping) is negligible next to MD5 and copy time, small enough that a few chunks in
 * flight per transfer keep memory bounded.
 */
export const FILE_CHUNK_BYTES = 1024 * 1024;

/**
 * A fresh stream of the source's bytes; `bytes` sources are streamed as views of their buffer (read
 * in paused mode, a stream joins the chunks it holds: see {@link byteSlices}).
 */
export function openByteSource(source: ByteSource): Readable {
  switch (source.kind) {
    case 'file':
      return createReadStream(source.path, { highWaterMark: FILE_CHUNK_BYTES });
    case 'bytes':
      return Readable.from(byteSlices(source.data), { objectMode: false });
    case 'stream':
      return source.open();
  }
}

/**
 * The bytes as views of `FILE_CHUNK_BYTES`, for a consumer that iterates with `for await` and
 * awaits between chunks (a file write): a stream over them would join what it buffered meanwhile
 * into new buffers, a copy of most of the bytes (14 MB more memory per store of a 100,000-file
 * manifest on local storage).
 */
export function* byteSlices(data: Uint8Array): Generator<Buffer> {
  // Slices (views, not copies) so a large buffer still flows through throttling in small steps.
  for (let offset = 0; offset < data.length; offset += FILE_CHUNK_BYTES) {
    const end = Math.min(offset + FILE_CHUNK_BYTES, data.length);
    yield Buffer.from(data.buffer, data.byteOffset + offset, end - offset);
  }
}

/** The number of bytes the source holds (a `stat` for files; the declared size for streams). */
export async function byteSourceSize(source: ByteSource): Promise<number> {
  switch (source.kind) {
    case 'file':
      return (await stat(source.path)).size;
    case 'bytes':
      return source.data.length;
    case 'stream':
      return source.size;
  }
}

/** A reopenable source built from a source and a function that wraps each opened stream. */
export function mapByteSource(
  source: ByteSource,
  size: number,
  wrap: (opened: Readable) => Readable,
): ByteSource {
  return { kind: 'stream', size, open: () => wrap(openByteSource(source)) };
}

/**
 * `source` piped into `through`, as one stream: an error on either side destroys both, so the
 * consumer of the result always sees the failure (a bare `pipe` would leave it waiting).
 */
export function pipeThrough(source: Readable, through: Transform): Readable {
  source.once('error', (err) => through.destroy(err));
  through.once('close', () => {
    if (!source.destroyed) source.destroy();
  });
  return source.pipe(through);
}
