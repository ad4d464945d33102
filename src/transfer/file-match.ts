/**
 * Does a local file hold what a stored object holds? Asked by differential backups (may this
 * SSTable reuse the stored copy?) and by restores (is this file already downloaded correctly?).
 * Size first (free), then, when asked and comparable, the content hash in the store's form,
 * through the hash cache so an unchanged file is read at most once.
 */
import { stat } from 'node:fs/promises';
import type { HashKind } from '../storage/types.js';
import type { HashCache } from './hash-cache.js';
import { hashFile, hashInStoreForm, specComputesHash, specToCheck } from './hashing.js';

/** What the store (or a manifest) says about the object. */
export interface StoredFacts {
  readonly size: number;
  /** The store's hash (manifest `MD5`); `null`/absent = unknown (Medusa writes `null` for reused local objects). */
  readonly hash?: string | null;
}

/** How `fileMatches` compares. */
export interface FileMatchOptions {
  /** Form of `StoredFacts.hash`. */
  readonly hashKind: HashKind;
  /** Compare content hashes too (`--enable-md5-checks`); otherwise size only, as Medusa does. */
  readonly checkHash: boolean;
  /** Part size of S3 multipart uploads (`multipart_chunksize`), to recompute `<hex>-<n>` ETags. */
  readonly partSize?: number;
  /** Digest cache; without one the file is read every time a hash is compared. */
  readonly cache?: HashCache;
}

/** The verdict, with the reason for a mismatch. */
export type FileMatch =
  | { readonly matches: true; /** Whether a hash was compared (else the size only). */ readonly hashChecked: boolean }
  | { readonly matches: false; readonly reason: 'missing' | 'size' | 'hash' };

/** Compares the file at `path` with `stored` (see the module comment). */
export async function fileMatches(path: string, stored: StoredFacts, options: FileMatchOptions): Promise<FileMatch> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) return { matches: false, reason: 'missing' };
    size = st.size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { matches: false, reason: 'missing' };
    throw err;
  }
  if (size !== stored.size) return { matches: false, reason: 'size' };
  const expected = stored.hash ?? undefined;
  if (!options.checkHash || expected === undefined) return { matches: true, hashChecked: false };
  const spec = specToCheck(options.hashKind, expected, options.partSize);
  if (!specComputesHash(spec)) return { matches: true, hashChecked: false };
  const hashes = options.cache ? await options.cache.hashFile(path, spec) : await hashFile(path, spec);
  return hashInStoreForm(options.hashKind, hashes) === expected ? { matches: true, hashChecked: true } : { matches: false, reason: 'hash' };
}
