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

/** An entry as answered or about to be stored (a view of a table slot, or the fresh entry of a file not cached yet). */
class Entry {
  constructor(
    readonly size: number,
    /** mtime in nanoseconds, exact. */
    readonly mtimeNs: bigint,
    readonly md5Hex: string | undefined,
    readonly partEtags: Readonly<Record<string, string>> | undefined,
  ) {}
}

/** Signed 64-bit (what `stat` gives and a slot holds), written in decimal. */
const MTIME_NS = /^-?\d{1,19}$/;

/**
 * The entries, one slot each across parallel arrays (size, mtime, MD5, "looked up by this
 * process"; part ETags, rare, in a side map): held as an object and an mtime string per file, a
 * 100,000-file node's cache was 22 MB of a differential backup's heap, which V8 then let grow to
 * about four times what it held when it first collected. Slots are never removed.
 */
class EntryTable {
  private readonly slots = new Map<string, number>();
  private sizes = new Float64Array(64);
  private mtimes = new BigInt64Array(64);
  private used = new Uint8Array(64);
  private readonly md5s: Array<string | undefined> = [];
  private readonly partEtags = new Map<number, Readonly<Record<string, string>>>();

  get size(): number {
    return this.slots.size;
  }

  slotOf(id: string): number | undefined {
    return this.slots.get(id);
  }

  /** Whether slot `slot` describes a file of this size and mtime. */
  matches(slot: number, size: number, mtimeNs: bigint): boolean {
    return this.sizes[slot] === size && this.mtimes[slot] === mtimeNs;
  }

  view(slot: number): Entry {
    return new Entry(this.sizes[slot]!, this.mtimes[slot]!, this.md5s[slot], this.partEtags.get(slot));
  }

  markUsed(slot: number): void {
    this.used[slot] = 1;
  }

  /** Stores `entry` for `id` (over its previous one, if any). */
  set(id: string, entry: Entry, used: boolean): void {
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.slots.size;
      this.reserve(slot + 1);
      this.slots.set(id, slot);
    }
    this.sizes[slot] = entry.size;
    this.mtimes[slot] = entry.mtimeNs;
    this.md5s[slot] = entry.md5Hex;
    if (entry.partEtags) this.partEtags.set(slot, entry.partEtags);
    else this.partEtags.delete(slot);
    this.used[slot] = used ? 1 : 0;
  }

  allUsed(): boolean {
    for (let slot = 0; slot < this.slots.size; slot++) if (this.used[slot] !== 1) return false;
    return true;
  }

  /** Every entry with its id and whether this process used it, in insertion order. */
  *entries(): Generator<[string, Entry, boolean]> {
    for (const [id, slot] of this.slots) yield [id, this.view(slot), this.used[slot] === 1];
  }

  private reserve(count: number): void {
    if (count <= this.sizes.length) return;
    const capacity = Math.max(count, this.sizes.length * 2);
    const sizes = new Float64Array(capacity);
    sizes.set(this.sizes);
    this.sizes = sizes;
    const mtimes = new BigInt64Array(capacity);
    mtimes.set(this.mtimes);
    this.mtimes = mtimes;
    const used = new Uint8Array(capacity);
    used.set(this.used);
    this.used = used;
  }
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
  private readonly entries = new EntryTable();
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
          if (typeof e.size !== 'number' || typeof e.mtimeNs !== 'string' || !MTIME_NS.test(e.mtimeNs)) continue;
          const mtimeNs = BigInt(e.mtimeNs);
          if (BigInt.asIntN(64, mtimeNs) !== mtimeNs) continue;
          const md5Hex = typeof e.md5Hex === 'string' ? e.md5Hex : undefined;
          const partEtags = e.partEtags && typeof e.partEtags === 'object' ? e.partEtags : undefined;
          cache.entries.set(id, new Entry(e.size, mtimeNs, md5Hex, partEtags), false);
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
    const slot = this.entries.slotOf(`${before.dev}:${before.ino}`);
    let entry: Entry;
    if (slot !== undefined && this.entries.matches(slot, size, before.mtimeNs)) {
      entry = this.entries.view(slot);
      this.entries.markUsed(slot);
    } else entry = new Entry(size, before.mtimeNs, undefined, undefined);
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
      this.entries.set(`${before.dev}:${before.ino}`, merged, true);
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
    const slot = this.entries.slotOf(`${identity.dev}:${identity.ino}`);
    if (slot === undefined || !this.entries.matches(slot, size, identity.mtimeNs)) return undefined;
    const entry = this.entries.view(slot);
    if (missingSpec(entry, spec)) return undefined;
    this.entries.markUsed(slot);
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
    const slot = this.entries.slotOf(id);
    const base = slot !== undefined && this.entries.matches(slot, size, before.mtimeNs) ? this.entries.view(slot) : undefined;
    if (slot !== undefined && base?.md5Hex === md5Hex) {
      this.entries.markUsed(slot);
      return;
    }
    this.entries.set(id, new Entry(size, before.mtimeNs, md5Hex, base?.partEtags), true);
    this.dirty = true;
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
    if (!this.dirty && (!options.dropUnused || this.entries.allUsed())) return;
    const entries: Record<string, FileEntry> = {};
    for (const [id, e, used] of this.entries.entries()) {
      if (options.dropUnused && !used) continue;
      entries[id] = {
        size: e.size,
        mtimeNs: e.mtimeNs.toString(),
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
  return new Entry(entry.size, entry.mtimeNs, md5Hex, partEtags);
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
