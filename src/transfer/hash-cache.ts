/**
 * Remembers file digests by (device, inode, size, mtime), so an unchanged file (an SSTable is
 * immutable once written) is read at most once: `--enable-md5-checks` and differential backups cost
 * nothing for files already hashed (design §3 "hash cache"). Optionally persisted as JSON between
 * runs. A file modified while it is being hashed is not cached.
 */
import type { BigIntStats } from 'node:fs';
import { statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { writeFileAtomically } from './atomic-file.js';
import type { HashWorkerPool } from './hash-pool.js';
import { hashFile, hashSmallFileSync, SMALL_FILE_BYTES, type ContentHashes, type HashSpec } from './hashing.js';

/** An entry of the cache file (`version: 1`). */
interface FileEntry {
  size: number;
  /** mtime in nanoseconds, as a decimal string (exact; a double would lose precision). */
  mtimeNs: string;
  md5Hex?: string;
  /** Written for readers that expect it; derived from `md5Hex` when read. */
  md5Base64?: string;
  /** Multipart ETags by part size. */
  partEtags?: Record<string, string>;
}

interface CacheFile {
  version: 1;
  entries: Record<string, FileEntry>;
}

/**
 * An entry in memory: one object of a fixed shape per file, without the base64 MD5 (made from the
 * hex one when answering) and with a flag for "looked up by this process" (a 100,000-file node's
 * cache held two more strings per file for those).
 */
class Entry {
  constructor(
    readonly size: number,
    readonly mtimeNs: string,
    readonly md5Hex: string | undefined,
    readonly partEtags: Readonly<Record<string, string>> | undefined,
    /** Looked up or stored by this process (`save({ dropUnused })` keeps only these). */
    public used = false,
  ) {}
}

/** Where a `HashCache` persists and who hashes on a miss. */
export interface HashCacheOptions {
  /** JSON file the cache is loaded from (if it exists) and saved to. */
  readonly persistPath?: string;
  /** Threads that read and hash on a miss (`[checks] md5_check_concurrency`); default the calling thread. */
  readonly pool?: HashWorkerPool;
}

/** Lookup counters, for logs and tests. */
export interface HashCacheStats {
  /** Requests answered without reading the file. */
  hits: number;
  /** Requests that read the file. */
  misses: number;
}

/** A digest cache; one instance per process is enough (share it between operations). */
export class HashCache {
  private readonly entries = new Map<string, Entry>();
  /** Whether an entry was added or changed since the cache was loaded (else `save` has nothing to write). */
  private dirty = false;
  readonly stats: HashCacheStats = { hits: 0, misses: 0 };

  private readonly persistPath: string | undefined;
  private readonly pool: HashWorkerPool | undefined;

  private constructor(options: HashCacheOptions) {
    this.persistPath = options.persistPath;
    this.pool = options.pool;
  }

  /** An empty cache without persistence (`options.persistPath` is ignored). */
  static inMemory(options: Omit<HashCacheOptions, 'persistPath'> = {}): HashCache {
    return new HashCache({ ...(options.pool ? { pool: options.pool } : {}) });
  }

  /**
   * A cache backed by `options.persistPath`: loads it when present. A missing, unreadable or
   * malformed file gives an empty cache (the cache is only an optimisation; a stale or damaged one
   * must never fail a backup).
   */
  static async load(options: HashCacheOptions = {}): Promise<HashCache> {
    const cache = new HashCache(options);
    if (!options.persistPath) return cache;
    try {
      const parsed = JSON.parse(await readFile(options.persistPath, 'utf8')) as Partial<CacheFile>;
      if (parsed.version === 1 && parsed.entries && typeof parsed.entries === 'object') {
        for (const [id, e] of Object.entries(parsed.entries)) {
          if (typeof e.size !== 'number' || typeof e.mtimeNs !== 'string') continue;
          const md5Hex = typeof e.md5Hex === 'string' ? e.md5Hex : undefined;
          const partEtags = e.partEtags && typeof e.partEtags === 'object' ? e.partEtags : undefined;
          cache.entries.set(id, new Entry(e.size, e.mtimeNs, md5Hex, partEtags));
        }
      }
    } catch {
      // Start empty (see above).
    }
    return cache;
  }

  /**
   * The digests `spec` asks for, of the file at `path`: from the cache when the file's identity,
   * size and mtime match a previous computation, else by reading the file once (computing only
   * the missing digests). The result has the same shape as `hashFile`'s.
   */
  async hashFile(path: string, spec: HashSpec): Promise<ContentHashes> {
    const before = await stat(path, { bigint: true });
    const { entry, missing } = this.lookup(before, spec);
    if (!missing) return answer(entry, spec);
    const computed = this.pool ? await this.pool.hashFile(path, missing) : await hashFile(path, missing);
    return this.keep(before, await stat(path, { bigint: true }), entry, computed, missing, spec);
  }

  /**
   * `hashFile` for a file of at most `SMALL_FILE_BYTES`, synchronously on this thread (see
   * `hashSmallFileSync`: no thread-pool hop per file); `undefined` when the file is larger (then
   * `hashFile`). The same checks: a file replaced or modified while read is not cached.
   */
  hashSmallFileSync(path: string, spec: HashSpec): ContentHashes | undefined {
    const before = statSync(path, { bigint: true });
    if (before.size > BigInt(SMALL_FILE_BYTES)) return undefined;
    const { entry, missing } = this.lookup(before, spec);
    if (!missing) return answer(entry, spec);
    const computed = hashSmallFileSync(path, missing);
    if (!computed) return undefined;
    return this.keep(before, statSync(path, { bigint: true }), entry, computed, missing, spec);
  }

  /** The entry for a file whose stat is `before` (a fresh one if none matches) and what it cannot answer; counts a hit. */
  private lookup(before: BigIntStats, spec: HashSpec): { entry: Entry; missing: HashSpec | undefined } {
    const size = Number(before.size);
    const mtimeNs = before.mtimeNs.toString();
    let entry = this.entries.get(`${before.dev}:${before.ino}`);
    if (!entry || entry.size !== size || entry.mtimeNs !== mtimeNs) entry = new Entry(size, mtimeNs, undefined, undefined);
    entry.used = true;
    const missing = missingSpec(entry, spec);
    if (missing) this.stats.misses += 1;
    else this.stats.hits += 1;
    return { entry, missing };
  }

  /** Caches what was computed between the stats `before` and `after`, unless the file changed meanwhile; answers `spec`. */
  private keep(before: BigIntStats, after: BigIntStats, entry: Entry, computed: ContentHashes, missing: HashSpec, spec: HashSpec): ContentHashes {
    const merged = mergeInto(entry, computed, missing);
    // Replaced or modified while being read: the digests may describe neither version; do not keep them.
    if (sameFile(before, after) && computed.size === entry.size) {
      this.entries.set(`${before.dev}:${before.ino}`, merged);
      this.dirty = true;
    }
    return answer(merged, spec);
  }

  /**
   * The digests `spec` asks for of a file whose identity and size the caller already read (a
   * snapshot listing), when the cache holds them all; undefined otherwise (then `hashFile`). Saves
   * the `stat` that `hashFile` starts with: on an unchanged node that `stat` was most of a check.
   */
  cached(identity: { readonly dev: bigint; readonly ino: bigint; readonly mtimeNs: bigint }, size: number, spec: HashSpec): ContentHashes | undefined {
    const id = `${identity.dev}:${identity.ino}`;
    const entry = this.entries.get(id);
    if (!entry || entry.size !== size || entry.mtimeNs !== identity.mtimeNs.toString() || missingSpec(entry, spec)) return undefined;
    entry.used = true;
    this.stats.hits += 1;
    return answer(entry, spec);
  }

  /**
   * Records the MD5 of a file computed elsewhere while its bytes streamed (an upload to a store
   * that reports the plain MD5), so a later check of the same unchanged file reads nothing.
   * `before` and `after` are `stat({ bigint: true })` results taken around that streaming; when
   * they differ the file changed meanwhile and nothing is recorded.
   */
  recordMd5(before: BigIntStats, after: BigIntStats, md5Hex: string): void {
    if (!sameFile(before, after)) return;
    if (!/^[0-9a-f]{32}$/.test(md5Hex)) return;
    const id = `${before.dev}:${before.ino}`;
    const size = Number(before.size);
    const mtimeNs = before.mtimeNs.toString();
    const old = this.entries.get(id);
    const base = old && old.size === size && old.mtimeNs === mtimeNs ? old : undefined;
    if (base?.md5Hex === md5Hex) {
      base.used = true;
      return;
    }
    this.entries.set(id, new Entry(size, mtimeNs, md5Hex, base?.partEtags, true));
    this.dirty = true;
  }

  /** Whether every entry was looked up or stored by this process. */
  private allUsed(): boolean {
    for (const e of this.entries.values()) if (!e.used) return false;
    return true;
  }

  /** Entries held. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Writes the cache to its `persistPath` atomically (no-op without one, or when nothing changed
   * since it was loaded). `dropUnused` keeps only files looked up by this process, so entries of
   * deleted files (compacted SSTables) do not pile up.
   */
  async save(options: { dropUnused?: boolean } = {}): Promise<void> {
    if (!this.persistPath) return;
    // Nothing new and nothing to drop (an unchanged node): the file already says it all.
    if (!this.dirty && (!options.dropUnused || this.allUsed())) return;
    const entries: Record<string, FileEntry> = {};
    for (const [id, e] of this.entries) {
      if (options.dropUnused && !e.used) continue;
      entries[id] = {
        size: e.size,
        mtimeNs: e.mtimeNs,
        ...(e.md5Hex !== undefined ? { md5Hex: e.md5Hex, md5Base64: Buffer.from(e.md5Hex, 'hex').toString('base64') } : {}),
        ...(e.partEtags ? { partEtags: e.partEtags } : {}),
      };
    }
    const body: CacheFile = { version: 1, entries };
    await writeFileAtomically(this.persistPath, Readable.from([Buffer.from(JSON.stringify(body))]));
  }
}

function sameFile(a: BigIntStats, b: BigIntStats): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;
}

/** The part of `spec` the entry cannot answer, or `undefined` if it answers all of it. */
function missingSpec(entry: Entry, spec: HashSpec): HashSpec | undefined {
  const etag = spec.s3Etag;
  const needWhole = spec.md5 === true || (etag !== undefined && entry.size < etag.threshold);
  const needParts = etag !== undefined && entry.size >= etag.threshold;
  const missWhole = needWhole && entry.md5Hex === undefined;
  const missParts = needParts && entry.partEtags?.[String(etag.partSize)] === undefined;
  if (!missWhole && !missParts) return undefined;
  return {
    ...(missWhole ? { md5: true } : {}),
    ...(missParts && etag ? { s3Etag: { partSize: etag.partSize, threshold: 0 } } : {}),
  };
}

function mergeInto(entry: Entry, computed: ContentHashes, asked: HashSpec): Entry {
  const md5Hex = asked.md5 && computed.md5Hex ? computed.md5Hex : entry.md5Hex;
  const partEtags = asked.s3Etag && computed.s3Etag ? { ...entry.partEtags, [String(asked.s3Etag.partSize)]: computed.s3Etag } : entry.partEtags;
  return new Entry(entry.size, entry.mtimeNs, md5Hex, partEtags, true);
}

/** The digests `spec` asks for, from an entry that holds them all (the base64 MD5 made from the hex one). */
function answer(entry: Entry, spec: HashSpec): ContentHashes {
  const out: { size: number; md5Hex?: string; md5Base64?: string; s3Etag?: string } = { size: entry.size };
  if (spec.md5 && entry.md5Hex !== undefined) {
    out.md5Hex = entry.md5Hex;
    out.md5Base64 = Buffer.from(entry.md5Hex, 'hex').toString('base64');
  }
  const etag = spec.s3Etag;
  if (etag) {
    const value = entry.size < etag.threshold ? entry.md5Hex : entry.partEtags?.[String(etag.partSize)];
    if (value !== undefined) out.s3Etag = value;
  }
  return out;
}
