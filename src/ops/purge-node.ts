/**
 * The I/O around `planNodePurge`, shared by `purge`, `delete-backup` and `purge-decommissioned`:
 * list the node folder once, read the manifests of what stays, plan, then delete in batches
 * (multi-object deletes where the store has them), stage by stage across all of the node's purged
 * backups: first what makes them incomplete, then their data, then their last meta object and index
 * entries; the pool's orphans go last, and only when every backup deletion succeeded.
 */
import pLimit from 'p-limit';
import type { CatalogContext } from '../catalog/catalog.js';
import { setLatestBackup } from '../catalog/index-writer.js';
import type { NodeBackup } from '../domain/backups.js';
import { backupIndexFolder, latestBackupKey, nodeFolder } from '../layout/keys.js';
import { discoverNodeBackups } from '../plan/discover-backups.js';
import {
  latestPointerAfterPurge,
  planNodePurge,
  type BackupDeletion,
  type BackupPurgeReason,
  type LatestPointerAction,
  type NodePurgePlan,
} from '../plan/purge-selection.js';
import { NotFoundError } from '../storage/errors.js';
import { deleteMany, getText, listAll, listKeyPages } from '../storage/helpers.js';
import { noopProgress, type ProgressReporter } from '../transfer/progress.js';
import { KeptManifests } from './kept-manifests.js';

/** Manifest reads in flight at once. */
const MANIFEST_READ_CONCURRENCY = 8;

/**
 * Batch delete requests in flight at once. An object store works through the keys of one
 * multi-object delete one after another (radosgw: ~1.4 s per 1,000 keys here), so several
 * batches at once keep its threads busy.
 */
const DELETE_BATCHES_IN_FLIGHT = 6;

/** A node backup chosen for deletion: indexed (`NodeBackup`) or found only in the node folder. */
export interface PurgedBackup {
  readonly name: string;
  readonly fqdn: string;
}

/** What to purge on one node. */
export interface NodePurgeRequest {
  readonly fqdn: string;
  /** Every key under `backupIndexFolder` (one listing serves every node). */
  readonly indexKeys: readonly string[];
  readonly purge: readonly BackupDeletion<PurgedBackup>[];
  /** The node's indexed backups that stay. Their manifests protect pool objects. */
  readonly remaining: readonly NodeBackup[];
  /** Manifests already read (by the retention step), reused; a fresh one when omitted. */
  readonly kept?: KeptManifests;
  readonly graceDays: number;
  readonly nowSeconds: number;
  /**
   * Backups found in the node folder but absent from the index: deleted with this reason when set
   * (a decommissioned node), else kept and their manifests protect pool objects.
   */
  readonly purgeUnindexed?: BackupPurgeReason;
  /** Remove `index/latest_backup/F/` whatever it names (a decommissioned node). */
  readonly removeLatestPointer?: boolean;
  /**
   * Asked when planning and again right before the orphan cleanup deletes anything: a reason to
   * skip that cleanup (a backup of this node running on this host, see plan/stale-snapshots.ts),
   * or `undefined` to go on.
   */
  readonly orphanGuard?: () => Promise<string | undefined>;
  /**
   * Taken right before the orphans are deleted, released once they are (in every path); when it
   * is refused, the cleanup is skipped with its reason. Replaces the second `orphanGuard` look
   * (see ops/orphan-cleanup-marker.ts for the handshake it implements).
   */
  readonly orphanPermit?: () => Promise<OrphanCleanupPermit>;
}

/** Permission to delete a node's orphans now (see `NodePurgeRequest.orphanPermit`). */
export interface OrphanCleanupPermit {
  /** Why the cleanup must not run now; undefined when it may. */
  readonly refused?: string;
  release(): Promise<void>;
}

/** A planned node purge, ready to apply or to show (`--dry-run`). */
export interface PreparedNodePurge {
  readonly plan: NodePurgePlan<PurgedBackup>;
  readonly latest: LatestPointerAction;
  /** Why the orphan cleanup does not run, when it does not. */
  readonly orphanCleanupSkipped?: string;
  /** Tokenmap index keys of the remaining backups (for repointing). */
  readonly tokenmapKeys: ReadonlyMap<string, string>;
  /** The request's `orphanGuard`, asked again before the orphans are deleted. */
  readonly orphanGuard?: () => Promise<string | undefined>;
  /** The request's `orphanPermit`. */
  readonly orphanPermit?: () => Promise<OrphanCleanupPermit>;
}

/** What applying a plan did. */
export interface NodePurgeOutcome {
  readonly prepared: PreparedNodePurge;
  /** Backups all of whose keys were deleted. */
  readonly backupsPurged: number;
  readonly objectsPurged: number;
  readonly sizePurged: number;
  readonly failed: ReadonlyArray<{ readonly key: string; readonly error: Error }>;
}

/** Every key under `backupIndexFolder` (names only: no metadata is needed to find entries). */
export async function listIndexKeys(ctx: CatalogContext): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of listKeyPages(ctx.storage, backupIndexFolder(ctx.layout))) keys.push(...page);
  return keys;
}

async function readLatestName(ctx: CatalogContext, fqdn: string): Promise<string | undefined> {
  try {
    return await getText(ctx.storage, latestBackupKey(ctx.layout, fqdn, 'backup_name.txt'));
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/** Lists the node folder, reads what stays, and plans every deletion of the node. */
export async function prepareNodePurge(ctx: CatalogContext, req: NodePurgeRequest): Promise<PreparedNodePurge> {
  const { fqdn } = req;
  const nodeObjects = await listAll(ctx.storage, nodeFolder(ctx.layout, fqdn));
  ctx.log.debug(`Listed ${nodeObjects.length} objects under ${nodeFolder(ctx.layout, fqdn)}`);
  const kept = req.kept ?? new KeptManifests(ctx, fqdn);
  const purge = [...req.purge];

  const indexed = new Set([...req.remaining.map((b) => b.name), ...purge.map((d) => d.backup.name)]);
  const unindexed = discoverNodeBackups(ctx.layout, nodeObjects).filter((d) => d.fqdn === fqdn && !indexed.has(d.name));
  for (const d of unindexed) {
    if (req.purgeUnindexed) {
      purge.push({ backup: { name: d.name, fqdn }, reasons: [req.purgeUnindexed] });
    } else {
      ctx.log.warning(`Backup ${d.name} of ${fqdn} is not in the index (run "medusa build-index"): it is kept, and so are its files`);
    }
  }

  const limit = pLimit(MANIFEST_READ_CONCURRENCY);
  const staying = [...req.remaining.map((b) => b.name), ...(req.purgeUnindexed ? [] : unindexed.map((d) => d.name))];
  await Promise.all(staying.map((name) => limit(() => kept.add(name))));

  const purgedNames = new Set(purge.map((d) => d.backup.name));
  const contributorsPurged = kept.contributors().filter((n) => purgedNames.has(n));
  if (contributorsPurged.length > 0) {
    // Never happens with the selections in this project; guard so a purged manifest cannot protect files.
    throw new Error(`internal error: manifests of purged backups ${contributorsPurged.join(', ')} were counted as kept`);
  }
  const orphanCleanupSkipped = kept.damaged ? 'a manifest of a backup that stays cannot be read' : await req.orphanGuard?.();
  const plan = planNodePurge({
    layout: ctx.layout,
    fqdn,
    nodeObjects,
    indexKeys: req.indexKeys,
    purge,
    referencedPaths: orphanCleanupSkipped ? undefined : kept.paths,
    graceDays: req.graceDays,
    nowSeconds: req.nowSeconds,
  });

  const current = await readLatestName(ctx, fqdn);
  const restorable = req.remaining.filter((b) => kept.sourceOf(b.name) === 'meta');
  const latest: LatestPointerAction =
    req.removeLatestPointer && current !== undefined ? { kind: 'remove' } : latestPointerAfterPurge(current, purgedNames, restorable);
  return {
    plan,
    latest,
    tokenmapKeys: new Map(req.remaining.map((b) => [b.name, b.tokenmapIndexKey])),
    ...(orphanCleanupSkipped ? { orphanCleanupSkipped } : {}),
    ...(req.orphanGuard ? { orphanGuard: req.orphanGuard } : {}),
    ...(req.orphanPermit ? { orphanPermit: req.orphanPermit } : {}),
  };
}

async function applyLatestPointer(ctx: CatalogContext, prepared: PreparedNodePurge): Promise<void> {
  const { fqdn } = prepared.plan;
  const action = prepared.latest;
  if (action.kind === 'repoint') {
    const tokenmapKey = prepared.tokenmapKeys.get(action.name);
    if (tokenmapKey === undefined) throw new Error(`internal error: no tokenmap for backup ${action.name} of ${fqdn}`);
    ctx.log.info(`Latest backup of ${fqdn} is now ${action.name}`);
    await setLatestBackup(ctx, { name: action.name, fqdn, tokenmapText: await getText(ctx.storage, tokenmapKey) });
  } else if (action.kind === 'remove') {
    ctx.log.info(`Removing the latest backup pointer of ${fqdn}`);
    const keys = [latestBackupKey(ctx.layout, fqdn, 'backup_name.txt'), latestBackupKey(ctx.layout, fqdn, 'tokenmap.json')];
    const result = await deleteMany(ctx.storage, keys);
    const first = result.failed[0];
    if (first) throw first.error;
  }
}

/**
 * Applies a prepared plan. Deletion failures are collected, not thrown (the caller reports them);
 * a backup with a failed key is not taken further, and then the orphan cleanup does not run.
 */
export async function applyNodePurge(ctx: CatalogContext, prepared: PreparedNodePurge, progress: ProgressReporter = noopProgress): Promise<NodePurgeOutcome> {
  const { plan } = prepared;
  await applyLatestPointer(ctx, prepared);
  // One batch of objects to delete (counted, not sized); orphans a later check spares never finish.
  const planned = plan.backups.reduce((n, b) => n + b.unfinish.length + b.content.length + b.last.length, 0) + plan.orphans.length;
  progress.begin({ direction: 'delete', files: planned, bytes: 0 });
  try {
    return await applyPlan(ctx, prepared, progress);
  } finally {
    progress.end();
  }
}

async function applyPlan(ctx: CatalogContext, prepared: PreparedNodePurge, progress: ProgressReporter): Promise<NodePurgeOutcome> {
  const { plan } = prepared;

  const failed = new Map<string, Error>();
  const attempted = new Set<string>();
  const remove = async (keys: readonly string[]): Promise<void> => {
    if (keys.length === 0) return;
    for (const k of keys) attempted.add(k);
    const batch = Math.max(1, ctx.storage.capabilities.maxDeleteBatch);
    const limit = pLimit(DELETE_BATCHES_IN_FLIGHT);
    let done = 0;
    const chunks: string[][] = [];
    for (let i = 0; i < keys.length; i += batch) chunks.push(keys.slice(i, i + batch));
    await Promise.all(
      chunks.map((chunk) =>
        limit(async () => {
          const result = await deleteMany(ctx.storage, chunk);
          for (const f of result.failed) failed.set(f.key, f.error);
          for (const k of chunk) progress.transferFinished(k, !failed.has(k));
          done += chunk.length;
          ctx.log.debug(`Deleted ${done} of ${keys.length} objects (${failed.size} failed so far)`);
        }),
      ),
    );
  };
  const intact = (keys: readonly string[]): boolean => keys.every((k) => !failed.has(k));

  for (const b of plan.backups) ctx.log.info(`Purging backup ${b.deletion.backup.name} from node ${plan.fqdn}...`);
  let going = plan.backups;
  await remove(going.flatMap((b) => b.unfinish));
  going = going.filter((b) => intact(b.unfinish));
  await remove(going.flatMap((b) => b.content));
  going = going.filter((b) => intact(b.content));
  await remove(going.flatMap((b) => b.last));
  going = going.filter((b) => intact(b.last));

  let objectsPurged = 0;
  let sizePurged = 0;
  for (const b of plan.backups) {
    for (const o of b.folderObjects) {
      if (attempted.has(o.key) && !failed.has(o.key)) {
        objectsPurged++;
        sizePurged += o.size;
      }
    }
  }

  // Asked again now: a backup that started since the plan may be reusing pool objects it found.
  let skipped = prepared.orphanCleanupSkipped;
  let permit: OrphanCleanupPermit | undefined;
  if (!skipped && failed.size === 0 && plan.orphans.length > 0) {
    if (prepared.orphanPermit) {
      permit = await prepared.orphanPermit();
      skipped = permit.refused;
    } else {
      skipped = await prepared.orphanGuard?.();
    }
  }
  try {
    if (skipped) {
      ctx.log.warning(`Not cleaning up orphaned files for ${plan.fqdn}: ${skipped}`);
    } else if (failed.size > 0) {
      ctx.log.warning(`Not cleaning up orphaned files for ${plan.fqdn}: some backup objects could not be deleted`);
    } else {
      ctx.log.info(`Cleaning up orphaned files for ${plan.fqdn}...`);
      if (ctx.log.debugEnabled) for (const o of plan.orphans) ctx.log.debug(`  - [${o.key}] exists in storage, but not in manifest`);
      await remove(plan.orphans.map((o) => o.key));
      for (const o of plan.orphans) {
        if (!failed.has(o.key)) {
          objectsPurged++;
          sizePurged += o.size;
        }
      }
    }
  } finally {
    await permit?.release();
  }
  return {
    prepared,
    backupsPurged: going.length,
    objectsPurged,
    sizePurged,
    failed: [...failed].map(([key, error]) => ({ key, error })),
  };
}
