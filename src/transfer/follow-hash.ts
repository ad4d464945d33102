/**
 * Hashing a file while another thread is still writing it: the reader is told how many leading
 * bytes are complete (`advance`) and hashes up to there, then waits; `finish` gives the final size
 * and yields the digests once every byte is hashed. A download hashed this way costs no pass after
 * its last byte arrives, and the MD5 runs on whichever thread owns the follower (a worker of
 * `HashWorkerPool`), not on the one receiving the bytes.
 *
 * The file is opened by path at the first `advance`, so it may be renamed or removed meanwhile
 * (the open handle keeps reading the same file).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { FILE_READ_BYTES } from './file-chunks.js';
import { ContentHasher, type ContentHashes, type HashSpec } from './hashing.js';

/** How a follower reports its end (once): the digests, or the failure. */
export type FollowOutcome = { readonly ok: true; readonly hashes: ContentHashes } | { readonly ok: false; readonly error: Error };

/** Hashes one file as it grows (see the module comment). */
export class FileFollower {
  private readonly hasher: ContentHasher;
  private handle: FileHandle | undefined;
  private buffer: Buffer | undefined;
  private position = 0;
  private available = 0;
  private finalSize: number | undefined;
  private running = false;
  private ended = false;

  constructor(
    private readonly path: string,
    spec: HashSpec,
    expectedSize: number | undefined,
    private readonly onEnd: (outcome: FollowOutcome) => void,
  ) {
    this.hasher = new ContentHasher(spec, expectedSize);
  }

  /** The first `size` bytes of the file are complete. */
  advance(size: number): void {
    if (size > this.available) this.available = size;
    void this.pump();
  }

  /** The file is complete at `size` bytes: report the digests once they are all hashed. */
  finish(size: number): void {
    this.finalSize = size;
    this.advance(size);
  }

  /** Stops reading; nothing is reported. */
  cancel(): void {
    this.end(undefined);
  }

  private async pump(): Promise<void> {
    if (this.running || this.ended) return;
    this.running = true;
    try {
      this.handle ??= await open(this.path, 'r');
      this.buffer ??= Buffer.allocUnsafe(FILE_READ_BYTES);
      // Re-checked after every read: `advance` may have moved the goal meanwhile.
      while (!this.ended && this.position < this.available) {
        const want = Math.min(this.buffer.length, this.available - this.position);
        const { bytesRead } = await this.handle.read(this.buffer, 0, want, this.position);
        if (bytesRead === 0) throw new Error(`${this.path}: ends at ${this.position} bytes, ${this.available} were written`);
        this.hasher.update(this.buffer.subarray(0, bytesRead));
        this.position += bytesRead;
      }
      if (!this.ended && this.finalSize !== undefined && this.position >= this.finalSize) {
        if (this.position > this.finalSize) throw new Error(`${this.path}: ${this.position} bytes hashed, the file was said to have ${this.finalSize}`);
        this.end({ ok: true, hashes: this.hasher.digest() });
      }
    } catch (err) {
      this.end({ ok: false, error: err instanceof Error ? err : new Error(String(err)) });
    } finally {
      this.running = false;
      if (this.ended) this.closeHandle();
    }
  }

  private end(outcome: FollowOutcome | undefined): void {
    if (this.ended) return;
    this.ended = true;
    // Never under a read in flight: a running pump closes it when it stops.
    if (!this.running) this.closeHandle();
    if (outcome) this.onEnd(outcome);
  }

  private closeHandle(): void {
    const handle = this.handle;
    this.handle = undefined;
    void handle?.close().catch(() => undefined);
  }
}
