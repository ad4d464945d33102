/**
 * Which manifest hashes a download can check, and how. A manifest's `MD5` is whatever the store
 * reported at upload (reference §3.2), so it is compared only when it has the form this store
 * reports: an Azure ETag or `no-md5-hash`, a `null` from a reused local object, or an S3 multipart
 * ETag whose part count does not fit the configured part size is checked by size alone rather than
 * failing a good restore.
 */
import type { HashKind } from '../storage/types.js';

const HEX_MD5 = /^[0-9a-f]{32}$/i;
const BASE64_MD5 = /^[A-Za-z0-9+/]{22}==$/;
const S3_MULTIPART = /^[0-9a-f]{32}-([0-9]+)$/i;

/** S3's smallest part and largest part count (a larger file gets doubled parts, as our uploads do). */
const S3_MIN_PART = 5 * 1024 * 1024;
const S3_MAX_PARTS = 10_000;

/** How to check one file: the hash to compare (store form) and, for an S3 multipart ETag, the part size. */
export interface FileCheck {
  readonly expectedHash?: string;
  readonly partSize?: number;
}

/**
 * The check for a file of `size` bytes whose manifest hash is `hash`, on a store reporting hashes
 * of `kind`; `configuredPartSize` is `[storage] multipart_chunksize`. An empty result means size only.
 */
export function fileCheck(kind: HashKind, hash: string | null, size: number, configuredPartSize: number): FileCheck {
  if (hash === null || hash === '') return {};
  switch (kind) {
    case 'md5-hex':
      return HEX_MD5.test(hash) ? { expectedHash: hash.toLowerCase() } : {};
    case 'md5-base64':
      return BASE64_MD5.test(hash) ? { expectedHash: hash } : {};
    case 's3-etag': {
      if (HEX_MD5.test(hash)) return { expectedHash: hash.toLowerCase() };
      const multipart = S3_MULTIPART.exec(hash);
      if (!multipart) return {};
      let partSize = Math.max(configuredPartSize, S3_MIN_PART);
      while (Math.ceil(size / partSize) > S3_MAX_PARTS) partSize *= 2;
      // A different part count means the upload used another part size: the ETag cannot be predicted.
      if (Math.max(1, Math.ceil(size / partSize)) !== Number(multipart[1])) return {};
      return { expectedHash: hash.toLowerCase(), partSize };
    }
    case 'none':
      return {};
  }
}
