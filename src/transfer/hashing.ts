/**
 * Content hashes in the forms stores report them, computed in one pass over the bytes, while they
 * stream, with memory bounded by one chunk.
 *
 * MD5 is the bound of a local backup on this hardware (design §3), so a hasher computes only what it
 * was asked for: when the size is known up front, an S3 ETag of a multipart-sized file costs one MD5
 * pass over the parts, not a second pass for the whole-file digest.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import type { HashKind } from '../storage/types.js';
import { chunkBuffers, readFileChunks } from './file-chunks.js';

/** How an S3 upload is split: files of `threshold` bytes or more go up in parts of `partSize`. */
export interface MultipartSpec {
  /** Bytes per part (the last part may be shorter). */
  readonly partSize: number;
  /** Smallest size uploaded in parts; smaller files are a single PUT whose ETag is the hex MD5. */
  readonly threshold: number;
}

/** Which digests to compute. */
export interface HashSpec {
  /** Whole-content MD5 (reported as hex and base64). */
  readonly md5?: boolean;
  /** The S3 ETag an upload with this part layout gets. */
  readonly s3Etag?: MultipartSpec;
}

/** The digests of some content; a field is present when its digest was requested. */
export interface ContentHashes {
  readonly size: number;
  readonly md5Hex?: string;
  readonly md5Base64?: string;
  readonly s3Etag?: string;
}

/**
 * Accumulates digests chunk by chunk. `expectedSize`, when known, lets the hasher skip the digest
 * that the final size would make useless (see the module comment); with an unknown size it keeps
 * both the whole and the per-part digests when an ETag is requested.
 */
export class ContentHasher {
  private readonly whole: Hash | undefined;
  private readonly partSize: number;
  private partHash: Hash | undefined;
  private partFill = 0;
  private readonly partDigests: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly spec: HashSpec,
    expectedSize?: number,
  ) {
    const etag = spec.s3Etag;
    if (etag && !(etag.partSize > 0)) throw new RangeError(`multipart part size must be positive, got ${etag.partSize}`);
    const multipart = etag !== undefined && (expectedSize === undefined || expectedSize >= etag.threshold);
    const singlePut = etag !== undefined && (expectedSize === undefined || expectedSize < etag.threshold);
    this.whole = spec.md5 || singlePut ? createHash('md5') : undefined;
    this.partSize = multipart && etag ? etag.partSize : 0;
  }

  /** Adds the next bytes of the content. */
  update(chunk: Uint8Array): void {
    this.size += chunk.length;
    this.whole?.update(chunk);
    if (this.partSize === 0) return;
    let offset = 0;
    while (offset < chunk.length) {
      this.partHash ??= createHash('md5');
      const take = Math.min(this.partSize - this.partFill, chunk.length - offset);
      this.partHash.update(offset === 0 && take === chunk.length ? chunk : chunk.subarray(offset, offset + take));
      this.partFill += take;
      offset += take;
      if (this.partFill === this.partSize) this.closePart();
    }
  }

  private closePart(): void {
    if (!this.partHash) return;
    this.partDigests.push(this.partHash.digest());
    this.partHash = undefined;
    this.partFill = 0;
  }

  /** Bytes seen so far. */
  get bytes(): number {
    return this.size;
  }

  /** The digests of everything passed to `update`; call once. */
  digest(): ContentHashes {
    const wholeDigest = this.whole?.digest();
    const out: { size: number; md5Hex?: string; md5Base64?: string; s3Etag?: string } = { size: this.size };
    if (this.spec.md5 && wholeDigest) {
      out.md5Hex = wholeDigest.toString('hex');
      out.md5Base64 = wholeDigest.toString('base64');
    }
    const etag = this.spec.s3Etag;
    if (etag) {
      if (this.size < etag.threshold) {
        if (!wholeDigest) throw new Error(`content of ${this.size} bytes is below the multipart threshold, but its size was announced as larger`);
        out.s3Etag = wholeDigest.toString('hex');
      } else {
        if (this.partSize === 0) throw new Error(`content of ${this.size} bytes reaches the multipart threshold, but its size was announced as smaller`);
        this.closePart();
        out.s3Etag = multipartEtag(this.partDigests);
      }
    }
    return out;
  }
}

/** `hex(md5(concat(part digests)))-<parts>`: the ETag S3 gives a multipart upload. */
export function multipartEtag(partDigests: readonly Uint8Array[]): string {
  const h = createHash('md5');
  for (const d of partDigests) h.update(d);
  return `${h.digest('hex')}-${partDigests.length}`;
}

/** A pass-through stream that feeds every chunk to `hasher` on its way. */
export function createHashingStream(hasher: ContentHasher): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
      hasher.update(chunk);
      callback(null, chunk);
    },
  });
}

/** Digests of bytes in memory (small documents, tests). */
export function hashBytes(data: Uint8Array, spec: HashSpec): ContentHashes {
  const hasher = new ContentHasher(spec, data.length);
  hasher.update(data);
  return hasher.digest();
}

/** Hex MD5 of bytes in memory. */
export function md5Hex(data: Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

/**
 * Reads an open file once, from the start, and returns its digests. The next read runs while the
 * current chunk is hashed, and memory is three reused buffers whatever the file size.
 */
export async function hashFileHandle(handle: FileHandle, spec: HashSpec, expectedSize?: number): Promise<ContentHashes> {
  return chunkBuffers.with(async (buffers) => {
    const hasher = new ContentHasher(spec, expectedSize);
    for await (const chunk of readFileChunks(handle, buffers)) hasher.update(chunk);
    return hasher.digest();
  });
}

/** Files up to this size may be hashed by `hashSmallFileSync` (one read into a reused buffer). */
export const SMALL_FILE_BYTES = 1024 * 1024;

/** The buffer `hashSmallFileSync` reads into: one byte more than it accepts, so a larger file shows. */
let smallBuffer: Buffer | undefined;

/**
 * Reads the file at `path` synchronously on this thread and returns its digests, or `undefined`
 * when it holds more than {@link SMALL_FILE_BYTES} (then `hashFile`). For the many small files of
 * a snapshot (TOC, Digest, Filter, Statistics...): the asynchronous path costs an open, reads, a
 * close and their thread-pool hops per file, which was most of the CPU of hashing 20,000 small
 * files (measured: 8.2 s of CPU, 0.4 ms per file, against well under 0.1 ms this way). Callers run
 * it in `SyncSlices` so the event loop is still served.
 */
export function hashSmallFileSync(path: string, spec: HashSpec): ContentHashes | undefined {
  const bytes = readSmallFileSync(path);
  return bytes && hashBytes(bytes, spec);
}

/**
 * The whole content of the file at `path`, read synchronously into a buffer this module reuses,
 * or `undefined` when it holds more than {@link SMALL_FILE_BYTES}. The view is valid only until the
 * next call: use it before anything else runs (no `await` in between).
 */
export function readSmallFileSync(path: string): Buffer | undefined {
  smallBuffer ??= Buffer.allocUnsafe(SMALL_FILE_BYTES + 1);
  const fd = openSync(path, 'r');
  let size = 0;
  try {
    for (;;) {
      const n = readSync(fd, smallBuffer, size, smallBuffer.length - size, null);
      if (n === 0) break;
      size += n;
      if (size > SMALL_FILE_BYTES) return undefined;
    }
  } finally {
    closeSync(fd);
  }
  return smallBuffer.subarray(0, size);
}

/** Reads the file at `path` once and returns its digests (no cache; see `HashCache`). */
export async function hashFile(path: string, spec: HashSpec): Promise<ContentHashes> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    return await hashFileHandle(handle, spec, size);
  } finally {
    await handle.close();
  }
}

/**
 * What to compute so the result can be compared with a store's hash of kind `kind`. `multipart` is
 * the part layout the store was written with; it matters only for `s3-etag`, and without it an
 * S3 ETag can only be predicted for single-PUT objects (the caller then compares `md5Hex`).
 */
export function hashSpecFor(kind: HashKind, multipart?: MultipartSpec): HashSpec {
  switch (kind) {
    case 'md5-hex':
    case 'md5-base64':
      return { md5: true };
    case 's3-etag':
      return multipart ? { s3Etag: multipart } : { md5: true };
    case 'none':
      return {};
  }
}

/** The digest in the exact form a store of kind `kind` reports, or `undefined` if not computed. */
export function hashInStoreForm(kind: HashKind, hashes: ContentHashes): string | undefined {
  switch (kind) {
    case 'md5-hex':
      return hashes.md5Hex;
    case 'md5-base64':
      return hashes.md5Base64;
    case 's3-etag':
      return hashes.s3Etag ?? hashes.md5Hex;
    case 'none':
      return undefined;
  }
}

/**
 * What to compute to compare content with `expected`, a hash of kind `kind` as a store reported
 * it. An S3 ETag `<hex>-<n>` is a multipart upload's and can only be recomputed with the part size
 * the upload used (`partSize`); without it the result is `{}` (nothing comparable: check the size
 * only). A plain hex ETag is a single PUT's: the MD5 of the content, whatever its size.
 */
export function specToCheck(kind: HashKind, expected: string, partSize?: number): HashSpec {
  if (kind === 'none') return {};
  if (kind !== 's3-etag') return { md5: true };
  if (!/-\d+$/.test(expected)) return { md5: true };
  if (partSize === undefined) return {};
  return { s3Etag: { partSize, threshold: 0 } };
}

/** True when `spec` computes something (an empty spec means "size only"). */
export function specComputesHash(spec: HashSpec): boolean {
  return spec.md5 === true || spec.s3Etag !== undefined;
}
