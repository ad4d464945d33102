/**
 * The one place bytes are metered: a pass-through stream that takes tokens from the shared
 * `TokenBucket` before letting each piece through, and counts what it let through for progress.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { TokenBucket } from './token-bucket.js';

/** Settings of one `MeteredStream`. */
export interface MeteredStreamOptions {
  /** The shared budget; omitted = count only. */
  readonly bucket?: TokenBucket;
  /** Called with the size of every piece let through (after its tokens were granted). */
  readonly onBytes?: (bytes: number) => void;
  /** Aborting destroys the stream with the signal's reason, also while it waits for tokens. */
  readonly signal?: AbortSignal;
}

/**
 * Largest piece that waits for tokens at once: a 1 MiB chunk under a low budget would otherwise
 * move in bursts of whole seconds, and progress would jump as coarsely.
 */
const MAX_PIECE_BYTES = 256 * 1024;

/** A `Transform` stream passing bytes through unchanged, at the shared bucket's pace. */
export class MeteredStream extends Transform {
  private count = 0;

  constructor(private readonly options: MeteredStreamOptions = {}) {
    super(options.signal ? { signal: options.signal } : {});
  }

  /** Bytes let through so far by this stream (one attempt of one transfer). */
  get bytes(): number {
    return this.count;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const bucket = this.options.bucket;
    if (!bucket || bucket.unlimited) {
      this.passed(chunk);
      callback();
      return;
    }
    this.meter(bucket, chunk).then(() => callback(), callback);
  }

  private async meter(bucket: TokenBucket, chunk: Buffer): Promise<void> {
    for (let offset = 0; offset < chunk.length; offset += MAX_PIECE_BYTES) {
      const piece = chunk.length <= MAX_PIECE_BYTES ? chunk : chunk.subarray(offset, offset + MAX_PIECE_BYTES);
      await bucket.take(piece.length, this.options.signal);
      this.passed(piece);
    }
  }

  private passed(piece: Buffer): void {
    this.count += piece.length;
    this.options.onBytes?.(piece.length);
    this.push(piece);
  }
}
