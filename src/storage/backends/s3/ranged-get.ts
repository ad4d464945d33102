/**
 * Download of a large object as several ranged GETs in flight, delivered in order: what boto3's
 * `download_file` (and rclone's multi-thread download) do, so one big SSTable is not limited to
 * one TCP stream. Memory: `concurrency` ranges of `rangeSize` bytes at most.
 *
 * Every range after the first is requested with `If-Match: <ETag of the first answer>`, so an
 * object overwritten mid-download fails (412 → ConflictError) instead of mixing two versions.
 */
import { Readable } from 'node:stream';

/** Fetches the inclusive byte range [start, end] of the object version `etag`, whole, as one buffer. */
export type RangeFetcher = (start: number, end: number, etag: string | undefined, signal: AbortSignal) => Promise<Buffer>;

export interface RangedBodyOptions {
  /** The first range's body, already requested (it told us the size); streamed through first. */
  readonly first: Readable;
  /** Bytes the first range holds. */
  readonly firstLength: number;
  /** The whole object's size. */
  readonly total: number;
  readonly etag: string | undefined;
  readonly rangeSize: number;
  readonly concurrency: number;
  readonly fetch: RangeFetcher;
  /** Turns a failure into the error the stream is destroyed with. */
  readonly mapError: (err: unknown) => Error;
}

/** A stream of the whole object: the first body, then the other ranges in order. */
export function rangedBody(o: RangedBodyOptions): Readable {
  const controller = new AbortController();
  async function* chunks(): AsyncGenerator<Buffer> {
    const pending: Array<Promise<Buffer>> = [];
    let nextStart = o.firstLength;
    const schedule = (): void => {
      while (pending.length < o.concurrency && nextStart < o.total) {
        const start = nextStart;
        const end = Math.min(o.total, start + o.rangeSize) - 1;
        nextStart = end + 1;
        const p = o.fetch(start, end, o.etag, controller.signal);
        p.catch(() => undefined); // observed when its turn comes; never an unhandled rejection
        pending.push(p);
      }
    };
    try {
      schedule(); // the next ranges load while the first one streams
      for await (const chunk of o.first) yield chunk as Buffer;
      while (pending.length > 0) {
        const p = pending.shift() as Promise<Buffer>;
        schedule();
        yield await p;
        schedule();
      }
    } catch (err) {
      throw o.mapError(err);
    } finally {
      controller.abort();
      o.first.destroy();
    }
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 1 });
}
