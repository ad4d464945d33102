/**
 * Pure: what a node backup does with each local snapshot file (reference §4.3), so that a backup
 * never points at bytes other than its files' and never overwrites a stored object.
 *
 * - Full mode: every file is uploaded under the backup's own folder (a new name: nothing there).
 * - Differential mode: the node's pool (`{P}F/data/`, listed once) is the cache. A file's
 *   candidates are every pool object with its identity (keyspace, table dir, index dir, file name):
 *   the plain key and any content-tagged keys (`layout/pool-keys.ts`).
 *   - No candidate: uploaded to the plain key.
 *   - Candidates: the caller hashes the file (through the hash cache) in the form of each
 *     candidate whose size matches and whose hash is known, and {@link settleHashChecks} decides:
 *     a candidate with the same size AND hash is reused; otherwise the file is uploaded to a key
 *     that is not in the pool: the plain key if it is free, else the first free tagged key for the
 *     file's MD5 (`contentTag`), so identical content always lands on the same key and a re-run
 *     reuses it.
 *
 * Where Medusa differs, and why we do not follow it: Medusa reuses a same-name object on size alone
 * (with md5 checks, where the listing has a hash), and re-uploads a different file to the SAME key.
 * After an in-place restore Cassandra reuses SSTable names, so that overwrite mixed components of
 * two SSTables in the new backup and destroyed the bytes older backups referenced. Here hashes are
 * always compared (a stored object without a known hash is never reused: on local storage, one the
 * backend has no record of, e.g. written by Python Medusa), and a stored object is never a target.
 *
 * A reused object keeps the stored key, size and hash.
 *
 * Decisions (issue 13), and why:
 * - The new key's extra segment goes on the TABLE folder (`<tableDir>~<md5>`), not below it:
 *   Python Medusa 0.31 reads `(keyspace, table)` from the segments above the file name and groups
 *   its sorted pool listing with `itertools.groupby`; a segment below the table folder would read
 *   as another keyspace and reset its view of the real one. The file name stays last and an index
 *   file keeps its `.<index>` parent, which is all Medusa's download derives from a key
 *   (`layout/pool-keys.ts` has the details).
 * - The segment is content-derived (the file's MD5), so identical content maps to one key and a
 *   re-run reuses what an interrupted one stored; the decision stays pure: reuse a candidate
 *   whose size and hash match, else upload to a key the pool does not hold.
 * - On local storage the "stored hash" is the MD5 the backend recorded when it wrote the object,
 *   kept outside the bucket folder and valid only while the file's size, inode and mtime are
 *   unchanged (`storage/backends/local-hash-records.ts`): never a re-read of the bucket, and an
 *   object Python Medusa rewrote in place is not reusable.
 * - The hash cache keeps hashing to one `stat` per unchanged file (snapshots are hard links of
 *   live SSTables); after an in-place restore, one hash pass over the restored files.
 */
import type { ManifestObject } from '../domain/manifest.js';
import { hashesMatch } from './verify-plan.js';

/** A local file to back up. */
export interface LocalFile {
  /** Path inside the table folder: `nb-1-big-Data.db` or `.<index>/nb-1-big-Data.db`. */
  readonly relativePath: string;
  readonly path: string;
  readonly size: number;
  /** Device, inode and mtime as found (the hash cache's key); optional. */
  readonly identity?: { readonly dev: bigint; readonly ino: bigint; readonly mtimeNs: bigint };
}

/** A table folder of the snapshot. */
export interface LocalTable {
  readonly keyspace: string;
  readonly tableDir: string;
  readonly files: readonly LocalFile[];
}

/** What the store listed for a key. */
export interface PoolObject {
  readonly key: string;
  readonly size: number;
  readonly hash?: string;
}

/**
 * - `upload`: new name, stored at its plain key;
 * - `reupload`: the name is stored with other bytes (or bytes that cannot be checked): stored at a
 *   key the pool does not hold;
 * - `reuse`: a stored object has the same size and hash;
 * - `check`: candidates exist; the file's hashes decide (see {@link settleHashChecks}).
 */
export type FileAction = 'upload' | 'reupload' | 'reuse' | 'check';

/** The decision for one file. */
export interface FileDecision {
  readonly file: LocalFile;
  /** Object key the file goes to or is at; for `check`, the plain key (the file's id in hash maps). */
  readonly key: string;
  readonly action: FileAction;
  /** The reused object (`reuse` only). */
  readonly stored?: PoolObject;
  /** Pool objects with the file's identity, plain key first (`check` only). */
  readonly candidates?: readonly PoolObject[];
}

export interface TablePlan {
  readonly keyspace: string;
  readonly tableDir: string;
  readonly files: readonly FileDecision[];
}

export interface BackupPlanInput {
  readonly tables: readonly LocalTable[];
  readonly differential: boolean;
  /** The pool listing (differential only; ignored in full mode). */
  readonly pool: Iterable<PoolObject>;
  /**
   * Object key of a file: its plain key, or with `tag` its content-tagged key (`layout/keys.ts`
   * `dataKey`).
   */
  readonly keyOf: (table: LocalTable, file: LocalFile, tag?: string) => string;
  /** The identity a pool key stores (`fileIdentity` of `layout/pool-keys.ts`), or undefined for a key of another shape. */
  readonly identityOfKey: (key: string) => string | undefined;
  /**
   * The identity of a local file, in the same form; `plainKey` is `keyOf(table, file)` (a naming
   * whose identity is the plain key returns it, and holds no second string per file).
   */
  readonly identityOfFile: (table: LocalTable, file: LocalFile, plainKey: string) => string;
}

/** Counts of a plan, the figures of the backup summary (reference §4.6). */
export interface PlanCounts {
  readonly upload: number;
  readonly reupload: number;
  readonly reuse: number;
  readonly check: number;
  readonly uploadBytes: number;
  /** Bytes of the files reused from the store. */
  readonly reuseBytes: number;
}

/** Orders candidates: the plain key first, then by key (stable, whatever the listing order). */
function candidateOrder(plainKey: string) {
  return (a: PoolObject, b: PoolObject): number => {
    if (a.key === plainKey) return -1;
    if (b.key === plainKey) return 1;
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  };
}

/** First decisions: `upload` for files without candidates, `check` for the others; see the module comment. */
export function planBackupUploads(input: BackupPlanInput): TablePlan[] {
  const byIdentity = new Map<string, PoolObject[]>();
  if (input.differential) {
    for (const o of input.pool) {
      const id = input.identityOfKey(o.key);
      if (id === undefined) continue;
      const list = byIdentity.get(id);
      if (list) list.push(o);
      else byIdentity.set(id, [o]);
    }
  }
  return input.tables.map((table) => ({
    keyspace: table.keyspace,
    tableDir: table.tableDir,
    files: table.files.map((file): FileDecision => {
      const key = input.keyOf(table, file);
      const found = byIdentity.get(input.identityOfFile(table, file, key));
      if (!found) return { file, key, action: 'upload' };
      // The listing's string for the plain key when it is stored (one copy per file, not two).
      if (found.length === 1) return { file, key: found[0]!.key === key ? found[0]!.key : key, action: 'check', candidates: found };
      return { file, key, action: 'check', candidates: [...found].sort(candidateOrder(key)) };
    }),
  }));
}

/** The `check` decisions, whose hashes the caller computes before {@link settleHashChecks}. */
export function pendingHashChecks(plan: readonly TablePlan[]): FileDecision[] {
  return plan.flatMap((t) => t.files.filter((f) => f.action === 'check'));
}

/** Candidates worth hashing the file for: same size and a known stored hash. */
export function comparableCandidates(decision: FileDecision): PoolObject[] {
  return (decision.candidates ?? []).filter((c) => c.size === decision.file.size && c.hash !== undefined);
}

/** What the caller learnt about one file's content. */
export interface FileHashes {
  /**
   * The file's hash in each comparable candidate's form, by candidate key (undefined: could not be
   * computed). A `Map` does; so does anything with its `get`.
   */
  readonly byCandidate: { get(candidateKey: string): string | undefined };
  /** The file's MD5 in lower-case hex, when computed (names a tagged key). */
  readonly md5Hex?: string;
}

/** `settleHashChecks` needs the MD5 of these files (plain key taken, nothing reusable) and was not given it. */
export class Md5NeededError extends Error {
  constructor(readonly keys: readonly string[]) {
    super(`the MD5 of ${keys.length} files is needed to name their tagged keys`);
    this.name = 'Md5NeededError';
  }
}

/** The key a `check` decision uploads to when nothing is reusable, or `undefined` if its MD5 is needed and missing. */
function uploadTarget(d: FileDecision, taken: ReadonlySet<string>, keyOfTag: (tag: string) => string, md5Hex: string | undefined, tagOf: (md5: string, n: number) => string): string | undefined {
  if (!taken.has(d.key)) return d.key;
  if (md5Hex === undefined) return undefined;
  for (let n = 1; ; n++) {
    const key = keyOfTag(tagOf(md5Hex, n));
    if (!taken.has(key)) return key;
  }
}

/** How `settleHashChecks` names tagged keys (`layout`'s `dataKey` and `contentTag`). */
export interface TagNaming {
  /** The file's key with `tag`. */
  readonly keyOf: (table: TablePlan, file: LocalFile, tag: string) => string;
  /** The `n`-th tag for content `md5Hex` (1 = first). */
  readonly tagOf: (md5Hex: string, n: number) => string;
}

/**
 * Turns each `check` into `reuse` (the first candidate, plain key first, whose size and hash match
 * the file) or `reupload` to a key no pool object has (see the module comment). `pool` is every key
 * listed; keys chosen here are added as they are chosen, so two files never get the same one.
 * Throws {@link Md5NeededError} listing the files whose MD5 a tagged key needs and `hashes` lacks.
 */
export function settleHashChecks(
  plan: readonly TablePlan[],
  hashes: ReadonlyMap<string, FileHashes>,
  pool: Iterable<string>,
  naming: TagNaming,
): TablePlan[] {
  // Made only when a file is not reused (an unchanged node's 100,000 keys are never put in a set).
  let takenKeys: Set<string> | undefined;
  const taken = (): Set<string> => (takenKeys ??= new Set(pool));
  const missing: string[] = [];
  const settled = plan.map((t) => ({
    ...t,
    files: t.files.map((d): FileDecision => {
      if (d.action !== 'check') return d;
      const h = hashes.get(d.key);
      for (const c of comparableCandidates(d)) {
        const local = h?.byCandidate.get(c.key);
        if (local !== undefined && hashesMatch(c.hash!, local)) return { file: d.file, key: c.key, action: 'reuse', stored: c };
      }
      const target = uploadTarget(d, taken(), (tag) => naming.keyOf(t, d.file, tag), h?.md5Hex, naming.tagOf);
      if (target === undefined) {
        missing.push(d.key);
        return d;
      }
      taken().add(target);
      return { file: d.file, key: target, action: 'reupload' };
    }),
  }));
  if (missing.length > 0) throw new Md5NeededError(missing);
  return settled;
}

/** Totals by action. */
export function countPlan(plan: readonly TablePlan[]): PlanCounts {
  let upload = 0;
  let reupload = 0;
  let reuse = 0;
  let check = 0;
  let uploadBytes = 0;
  let reuseBytes = 0;
  for (const t of plan) {
    for (const f of t.files) {
      if (f.action === 'upload') upload++;
      else if (f.action === 'reupload') reupload++;
      else if (f.action === 'reuse') reuse++;
      else check++;
      if (f.action === 'upload' || f.action === 'reupload') uploadBytes += f.file.size;
      else if (f.action === 'reuse') reuseBytes += f.stored?.size ?? f.file.size;
    }
  }
  return { upload, reupload, reuse, check, uploadBytes, reuseBytes };
}

/**
 * A listed pool object that is also its manifest entry (the stored key, size and hash): a reused
 * file's manifest object is then the listing's own, not one more object per file.
 */
export class StoredObject implements PoolObject, ManifestObject {
  constructor(
    readonly key: string,
    readonly size: number,
    readonly hash: string | undefined,
  ) {}

  get path(): string {
    return this.key;
  }

  get MD5(): string | null {
    return this.hash ?? null;
  }
}

/** The manifest entry of a reused object: the stored key, size and hash. */
export function reusedManifestObject(stored: PoolObject): ManifestObject {
  return stored instanceof StoredObject ? stored : { path: stored.key, MD5: stored.hash ?? null, size: stored.size };
}
