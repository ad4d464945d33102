/**
 * Pure: what `purge`, `delete-backup` and `purge-decommissioned` delete, each deletion with its
 * reason (reference §6.1, design §2 items 3 and 5). No I/O and no clock: callers pass the listings,
 * the manifests' paths and `now`.
 *
 * Two steps, because the second needs the manifests of what the first keeps (read in between):
 * 1. `selectByRetention` picks node backups by `max_backup_age` / `max_backup_count`. Unlike
 *    Medusa (its issue #607), the count is over COMPLETE backups only, and the newest complete
 *    backup is never purged. Incomplete backups older than the newest complete one are dead weight:
 *    purged by age, and by the count policy whenever it is set, but never counted.
 * 2. `planNodePurge` turns the chosen backups of one node into object keys (matched by whole path
 *    segment: purging `b1` never touches `b10`), and finds orphans in the node's differential pool:
 *    objects no remaining manifest names, older than the grace period.
 */
import {
  dataFolder,
  metaKey,
  nodeBackupFolder,
  nodeFolder,
  parseIndexKey,
  type BucketLayout,
} from '../layout/keys.js';

const SECONDS_PER_DAY = 86_400;

/** `[storage] max_backup_age` and `max_backup_count`; 0 switches a limit off. */
export interface RetentionPolicy {
  /** Purge backups that started more than this many days ago. */
  readonly maxBackupAgeDays: number;
  /** Keep this many complete backups. */
  readonly maxBackupCount: number;
}

/** What retention needs to know about one node backup. */
export interface RetentionCandidate {
  readonly name: string;
  /** Epoch seconds. */
  readonly started: number;
  /**
   * Restorable: the node backup finished with a readable manifest and its cluster backup is
   * complete. Only these count toward `max_backup_count`.
   */
  readonly complete: boolean;
}

/** Why a node backup is deleted. */
export type BackupPurgeReason =
  /** Started more than `maxAgeDays` days before now. */
  | { readonly kind: 'age'; readonly maxAgeDays: number; readonly ageSeconds: number }
  /** A complete backup beyond the newest `maxCount` complete ones; `rank` 1 = newest. */
  | { readonly kind: 'count'; readonly maxCount: number; readonly rank: number }
  /** Incomplete and older than the newest complete backup `newestComplete`. */
  | { readonly kind: 'incomplete'; readonly newestComplete: string }
  /** Named on the command line (`delete-backup`). */
  | { readonly kind: 'requested' }
  /** Its node is in no datacenter of the live topology (`purge-decommissioned`). */
  | { readonly kind: 'decommissioned' };

/** One node backup to delete and every reason that selected it. */
export interface BackupDeletion<B extends { readonly name: string } = { readonly name: string }> {
  readonly backup: B;
  /** Never empty. */
  readonly reasons: readonly BackupPurgeReason[];
}

/** Outcome of `selectByRetention`. Both lists are oldest first. */
export interface RetentionSelection<B extends RetentionCandidate> {
  readonly purge: readonly BackupDeletion<B>[];
  readonly keep: readonly B[];
  /** The complete backup that started last; always in `keep`. */
  readonly newestComplete?: B;
}

function byStartThenName(a: RetentionCandidate, b: RetentionCandidate): number {
  return a.started - b.started || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/**
 * Chooses a node's backups to purge under `policy` at `nowSeconds`. Callers may rely on: the
 * newest complete backup is always kept; with a count limit, exactly `min(count, complete)`
 * complete backups are kept; an incomplete backup newer than the newest complete one (possibly
 * still running) is purged only by age.
 */
export function selectByRetention<B extends RetentionCandidate>(
  backups: readonly B[],
  policy: RetentionPolicy,
  nowSeconds: number,
): RetentionSelection<B> {
  const sorted = [...backups].sort(byStartThenName);
  const complete = sorted.filter((b) => b.complete);
  const newestComplete = complete[complete.length - 1];
  const newestIndex = newestComplete === undefined ? -1 : sorted.indexOf(newestComplete);
  const rankOf = new Map(complete.map((b, i) => [b, complete.length - i]));

  const purge: BackupDeletion<B>[] = [];
  const keep: B[] = [];
  sorted.forEach((b, i) => {
    const reasons: BackupPurgeReason[] = [];
    if (b !== newestComplete) {
      const ageSeconds = nowSeconds - b.started;
      if (policy.maxBackupAgeDays > 0 && b.started < nowSeconds - policy.maxBackupAgeDays * SECONDS_PER_DAY) {
        reasons.push({ kind: 'age', maxAgeDays: policy.maxBackupAgeDays, ageSeconds });
      }
      if (policy.maxBackupCount > 0) {
        const rank = rankOf.get(b);
        if (rank !== undefined && rank > policy.maxBackupCount) reasons.push({ kind: 'count', maxCount: policy.maxBackupCount, rank });
        if (rank === undefined && i < newestIndex) reasons.push({ kind: 'incomplete', newestComplete: newestComplete!.name });
      }
    }
    if (reasons.length > 0) purge.push({ backup: b, reasons });
    else keep.push(b);
  });
  return { purge, keep, ...(newestComplete !== undefined ? { newestComplete } : {}) };
}

/** One sentence for a reason, as `--dry-run` prints it. */
export function describePurgeReason(reason: BackupPurgeReason): string {
  switch (reason.kind) {
    case 'age':
      return `started ${(Math.max(0, reason.ageSeconds) / SECONDS_PER_DAY).toFixed(1)} days ago, max_backup_age is ${reason.maxAgeDays} days`;
    case 'count':
      return `complete backup number ${reason.rank} from the newest, beyond max_backup_count (${reason.maxCount})`;
    case 'incomplete':
      return `incomplete and older than the newest complete backup ${reason.newestComplete}`;
    case 'requested':
      return 'named by --backup-name';
    case 'decommissioned':
      return 'node is not in the live topology of any datacenter';
  }
}

/** The part of a listed object the plan needs (an `ObjectInfo` fits). */
export interface ListedObject {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
}

/**
 * The keys of one node backup, in the order they are deleted, so that a crash at any point leaves
 * a backup that is listed as incomplete (and purged again by the next run), never one listed as
 * complete with files missing.
 */
export interface BackupKeyPlan<B extends { readonly name: string } = { readonly name: string }> {
  readonly deletion: BackupDeletion<B>;
  /** First: `meta/manifest.json` and the index's `manifest_F.json` / `finished_F_*` entries. */
  readonly unfinish: readonly string[];
  /** Then every other object of the backup folder except `meta/schema.cql`. */
  readonly content: readonly string[];
  /** Last: `meta/schema.cql` and the remaining index entries (tokenmap, schema, started, marker). */
  readonly last: readonly string[];
  /** Objects of the backup folder with their sizes (index entries not included, as in Medusa's figures). */
  readonly folderObjects: readonly { readonly key: string; readonly size: number }[];
  /** Number of `folderObjects`. */
  readonly objects: number;
  /** Their total size in bytes. */
  readonly size: number;
}

/** Why a pool object is deleted: no remaining manifest names it and it is older than the grace period. */
export interface OrphanDeletion {
  readonly key: string;
  readonly size: number;
  readonly ageSeconds: number;
}

/** Everything to delete for one node. */
export interface NodePurgePlan<B extends { readonly name: string } = { readonly name: string }> {
  readonly fqdn: string;
  readonly backups: readonly BackupKeyPlan<B>[];
  readonly orphans: readonly OrphanDeletion[];
  /** Unreferenced pool objects younger than the grace period, left in place. */
  readonly sparedByGrace: number;
  readonly graceDays: number;
  /** Objects deleted in all: backup folder objects plus orphans. */
  readonly objects: number;
  /** Their total size in bytes. */
  readonly size: number;
}

/** Input of `planNodePurge`. */
export interface NodePurgeInput<B extends { readonly name: string }> {
  readonly layout: BucketLayout;
  readonly fqdn: string;
  /** The listing of `nodeFolder(layout, fqdn)` (keys outside it are ignored). */
  readonly nodeObjects: Iterable<ListedObject>;
  /** Keys found under `backupIndexFolder(layout)`; only this node's entries of purged names are used. */
  readonly indexKeys: Iterable<string>;
  readonly purge: readonly BackupDeletion<B>[];
  /**
   * Every object path named by a manifest of a backup of this node that stays, or `undefined` to
   * skip the orphan cleanup (when a manifest that stays could not be read, nothing is known to be
   * unreferenced).
   */
  readonly referencedPaths: ReadonlySet<string> | undefined;
  /** `backup_grace_period_in_days`. */
  readonly graceDays: number;
  readonly nowSeconds: number;
}

/** The folder of a node's differential pool, `{P}F/data/` (the backup name plays no part in it). */
export function poolFolder(layout: BucketLayout, fqdn: string): string {
  return dataFolder(layout, fqdn, '', true);
}

/**
 * Whether `key`, under the pool folder `pool`, has a pool object's shape
 * `<keyspace>/<table dir>/<file...>` (at least three segments). Two-segment keys there are the meta
 * objects of a backup literally named `data`, whose folder is the pool's.
 */
function isPoolObject(pool: string, key: string): boolean {
  return key.startsWith(pool) && key.slice(pool.length).split('/').length >= 3;
}

/** Whether `key` is an object of the differential pool of node `fqdn` (see `poolFolder`). */
export function isPoolObjectKey(layout: BucketLayout, fqdn: string, key: string): boolean {
  return isPoolObject(poolFolder(layout, fqdn), key);
}

/** Whether `key` is one of the objects of backup `name` in the node folder (whole segments only). */
function backupObjectMatcher(layout: BucketLayout, fqdn: string, name: string): (key: string) => boolean {
  const folder = nodeBackupFolder(layout, fqdn, name);
  if (folder !== poolFolder(layout, fqdn)) return (key) => key.startsWith(folder);
  // A backup named `data` shares its folder with the pool: only its meta objects are its own;
  // its data (full mode, `F/data/data/...`) is left to the orphan cleanup, which honours the grace period.
  const metaFolder = metaKey(layout, fqdn, name, 'schema.cql').slice(0, -'schema.cql'.length);
  return (key) => key.startsWith(metaFolder) && !key.slice(metaFolder.length).includes('/');
}

/**
 * The objects under `folder` whose first path segment below it is one of `names`, grouped by that
 * segment, in listing order. A backup's objects all sit under `folder` + its name + `/`, so this
 * narrows each backup's match to its own objects in one pass over the listing (matching every
 * object against every purged backup cost 40 s of CPU at 500 backups / 200,000 objects).
 */
function groupByFirstSegment<T extends { readonly key: string }>(folder: string, objects: readonly T[], names: ReadonlySet<string>): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const o of objects) {
    const end = o.key.indexOf('/', folder.length);
    if (end < 0) continue;
    const segment = o.key.slice(folder.length, end);
    if (!names.has(segment)) continue;
    let group = groups.get(segment);
    if (!group) groups.set(segment, (group = []));
    group.push(o);
  }
  return groups;
}

/**
 * Plans the deletions of one node: the chosen backups' objects and index entries, then the orphans
 * of its pool. Callers may rely on: no key outside `{P}F/` and this node's own index entries is
 * ever named; an object that `referencedPaths` names is never named; an orphan's LastModified is at
 * least `graceDays` days before `nowSeconds` (Medusa's `<=`).
 */
export function planNodePurge<B extends { readonly name: string }>(input: NodePurgeInput<B>): NodePurgePlan<B> {
  const { layout, fqdn } = input;
  const folder = nodeFolder(layout, fqdn);
  const pool = poolFolder(layout, fqdn);
  const objects = [...input.nodeObjects].filter((o) => o.key.startsWith(folder));

  const names = new Set(input.purge.map((d) => d.backup.name));
  const indexByName = new Map<string, { unfinish: string[]; last: string[] }>();
  for (const key of input.indexKeys) {
    const entry = parseIndexKey(layout, key);
    if (!entry || entry.fqdn !== fqdn || !names.has(entry.backupName)) continue;
    let slot = indexByName.get(entry.backupName);
    if (!slot) indexByName.set(entry.backupName, (slot = { unfinish: [], last: [] }));
    (entry.kind === 'manifest' || entry.kind === 'finished' ? slot.unfinish : slot.last).push(key);
  }

  const byFirstSegment = groupByFirstSegment(folder, objects, names);
  const backups = input.purge.map((deletion): BackupKeyPlan<B> => {
    const { name } = deletion.backup;
    const mine = backupObjectMatcher(layout, fqdn, name);
    const manifest = metaKey(layout, fqdn, name, 'manifest.json');
    const schema = metaKey(layout, fqdn, name, 'schema.cql');
    const index = indexByName.get(name) ?? { unfinish: [], last: [] };
    const own = (byFirstSegment.get(name) ?? []).filter((o) => mine(o.key));
    const ownKeys = new Set(own.map((o) => o.key));
    return {
      deletion,
      unfinish: [...(ownKeys.has(manifest) ? [manifest] : []), ...index.unfinish.sort()],
      content: own.map((o) => o.key).filter((k) => k !== manifest && k !== schema),
      last: [...(ownKeys.has(schema) ? [schema] : []), ...index.last.sort()],
      folderObjects: own.map((o) => ({ key: o.key, size: o.size })),
      objects: own.length,
      size: own.reduce((sum, o) => sum + o.size, 0),
    };
  });

  const orphans: OrphanDeletion[] = [];
  let sparedByGrace = 0;
  const referenced = input.referencedPaths;
  if (referenced !== undefined) {
    const cutoff = input.nowSeconds - input.graceDays * SECONDS_PER_DAY;
    for (const o of objects) {
      if (!isPoolObject(pool, o.key) || referenced.has(o.key)) continue;
      const modified = o.lastModified.getTime() / 1000;
      if (modified <= cutoff) orphans.push({ key: o.key, size: o.size, ageSeconds: Math.floor(input.nowSeconds - modified) });
      else sparedByGrace++;
    }
  }

  const backupObjects = backups.reduce((n, b) => n + b.objects, 0);
  const backupSize = backups.reduce((n, b) => n + b.size, 0);
  return {
    fqdn,
    backups,
    orphans,
    sparedByGrace,
    graceDays: input.graceDays,
    objects: backupObjects + orphans.length,
    size: backupSize + orphans.reduce((n, o) => n + o.size, 0),
  };
}

/** What to do with `index/latest_backup/F/` once some of the node's backups are gone. */
export type LatestPointerAction =
  | { readonly kind: 'keep' }
  /** Point it at `name` (the newest finished backup that stays). */
  | { readonly kind: 'repoint'; readonly name: string }
  /** Remove it: no finished backup stays. */
  | { readonly kind: 'remove' };

/**
 * The latest-backup pointer after a purge: unchanged unless it names a purged backup; then the
 * remaining backup that finished last (ties: the greater name), or removal.
 */
export function latestPointerAfterPurge(
  current: string | undefined,
  purgedNames: ReadonlySet<string>,
  remaining: ReadonlyArray<{ readonly name: string; readonly finished?: number | undefined }>,
): LatestPointerAction {
  if (current === undefined || !purgedNames.has(current)) return { kind: 'keep' };
  let best: { name: string; finished: number } | undefined;
  for (const b of remaining) {
    if (b.finished === undefined || purgedNames.has(b.name)) continue;
    if (!best || b.finished > best.finished || (b.finished === best.finished && b.name > best.name)) best = { name: b.name, finished: b.finished };
  }
  return best ? { kind: 'repoint', name: best.name } : { kind: 'remove' };
}
