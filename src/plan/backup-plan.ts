/**
 * Pure: what a node backup does with each local snapshot file (reference §4.3).
 *
 * - Full mode: every file is uploaded under the backup's own folder.
 * - Differential mode: the node's pool (`{P}F/data/`, listed once) is the cache. A file whose key
 *   (keyspace, table dir, index dir, file name) is absent is uploaded; present with another size,
 *   re-uploaded; present with the same size, reused, unless hashes are checked and the store
 *   listed a hash, in which case it is `check`ed: the caller computes the local hash in the
 *   store's form and {@link settleHashChecks} turns each check into reuse or re-upload. Where the
 *   listing has no hash (local storage) the size decides, as in Medusa.
 *
 * A reused object keeps the stored key, size and hash (`null` when the listing gave none, the
 * value Medusa writes in that case).
 */
import type { ManifestObject } from '../domain/manifest.js';
import { hashesMatch } from './verify-plan.js';

/** A local file to back up. */
export interface LocalFile {
  /** Path inside the table folder: `nb-1-big-Data.db` or `.<index>/nb-1-big-Data.db`. */
  readonly relativePath: string;
  readonly path: string;
  readonly size: number;
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

export type FileAction = 'upload' | 'reupload' | 'reuse' | 'check';

/** The decision for one file. `stored` is set for every action but `upload`. */
export interface FileDecision {
  readonly file: LocalFile;
  /** Object key the file goes to (or already is at). */
  readonly key: string;
  readonly action: FileAction;
  readonly stored?: PoolObject;
}

export interface TablePlan {
  readonly keyspace: string;
  readonly tableDir: string;
  readonly files: readonly FileDecision[];
}

export interface BackupPlanInput {
  readonly tables: readonly LocalTable[];
  readonly differential: boolean;
  /** The pool listing, by key (differential only; ignored in full mode). */
  readonly pool: ReadonlyMap<string, PoolObject>;
  /** Object key of a file (from `layout/keys.ts` `dataKey`). */
  readonly keyOf: (table: LocalTable, file: LocalFile) => string;
  /** `--enable-md5-checks` or `[checks] enable_md5_checks`. */
  readonly checkHashes: boolean;
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

/** Decides every file; see the module comment. */
export function planBackupUploads(input: BackupPlanInput): TablePlan[] {
  return input.tables.map((table) => ({
    keyspace: table.keyspace,
    tableDir: table.tableDir,
    files: table.files.map((file): FileDecision => {
      const key = input.keyOf(table, file);
      if (!input.differential) return { file, key, action: 'upload' };
      const stored = input.pool.get(key);
      if (!stored) return { file, key, action: 'upload' };
      if (stored.size !== file.size) return { file, key, action: 'reupload', stored };
      if (input.checkHashes && stored.hash !== undefined) return { file, key, action: 'check', stored };
      return { file, key, action: 'reuse', stored };
    }),
  }));
}

/** Keys whose local hash must be computed before the plan can be settled. */
export function pendingHashChecks(plan: readonly TablePlan[]): FileDecision[] {
  return plan.flatMap((t) => t.files.filter((f) => f.action === 'check'));
}

/**
 * Turns each `check` into `reuse` (local hash, in the store's form, matches the stored one) or
 * `reupload` (differs, or could not be computed: `undefined`).
 */
export function settleHashChecks(plan: readonly TablePlan[], localHashes: ReadonlyMap<string, string | undefined>): TablePlan[] {
  return plan.map((t) => ({
    ...t,
    files: t.files.map((f): FileDecision => {
      if (f.action !== 'check') return f;
      const local = localHashes.get(f.key);
      const same = local !== undefined && f.stored?.hash !== undefined && hashesMatch(f.stored.hash, local);
      return { ...f, action: same ? 'reuse' : 'reupload' };
    }),
  }));
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

/** The manifest entry of a reused object: the stored key, size and hash (`null` if none listed). */
export function reusedManifestObject(stored: PoolObject): ManifestObject {
  return { path: stored.key, MD5: stored.hash ?? null, size: stored.size };
}
