/**
 * The local half of `purge` (design §3 "crash safety"): clear the `medusa-*` snapshots no running
 * backup holds and no finished backup kept, one log line each; with `--dry-run` only name them. Also the guard that keeps the
 * orphan cleanup away from the pool of a node whose backup is running on this host.
 *
 * The snapshots are listed BEFORE the locks are read. A backup takes its lock before its snapshot
 * exists and drops it after the snapshot is gone, so a snapshot seen in the listing either had its
 * lock in place when the locks were read, or its backup has already ended.
 */
import { decideSnapshots, orphanCleanupBlocker, type LockView } from '../plan/stale-snapshots.js';
import type { OrphanCleanupPermit } from './purge-node.js';
import { describeError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

/** The node's snapshots, as the purge needs them (real one: the configured snapshot route, cassandra/select-snapshot-route.ts). */
export interface SnapshotCleanupPort {
  /** Every snapshot tag of the node. */
  list(): Promise<string[]>;
  /** Clears snapshot `tag`; rejects when that failed. */
  clear(tag: string): Promise<void>;
}

/** The backup locks of this host (real one: ops/backup-lock.ts). */
export interface BackupLocksPort {
  read(): Promise<LockView[]>;
  /** Removes lock files judged dead; optional. */
  removeDead?(views: readonly LockView[]): Promise<number>;
}

/** What the snapshot step did (or with `dryRun` would do). */
export interface SnapshotCleanupResult {
  /** Tags cleared (dry run: that would be cleared). */
  readonly cleared: readonly string[];
  readonly spared: readonly string[];
  /** Tags whose clearing failed (logged as warnings). */
  readonly failed: readonly string[];
  /** Set when the snapshots could not be listed (logged as a warning); nothing was cleared. */
  readonly skipped?: string;
}

/**
 * Clears the stale `medusa-*` snapshots of the node. Never throws: a node whose snapshots cannot be
 * listed (no nodetool here, Cassandra down) or cleared costs a warning, not the purge.
 */
export async function clearStaleSnapshots(
  ctx: { readonly log: Logger; readonly snapshots: SnapshotCleanupPort; readonly locks: BackupLocksPort },
  options: {
    readonly dryRun: boolean;
    /**
     * Names of this node's finished backups (their snapshots were kept on purpose). Asked after
     * the snapshots and locks are read, so a backup finishing meanwhile is seen finished.
     */
    readonly finishedBackups?: () => Promise<ReadonlySet<string>>;
  },
): Promise<SnapshotCleanupResult> {
  const { log } = ctx;
  let tags: string[];
  let locks: LockView[];
  let finished: ReadonlySet<string>;
  try {
    tags = await ctx.snapshots.list();
    locks = await ctx.locks.read();
    finished = (await options.finishedBackups?.()) ?? new Set();
  } catch (err) {
    const skipped = describeError(err);
    log.warning(`Cannot check the node's snapshots, stale medusa-* snapshots are not cleared: ${skipped}`);
    return { cleared: [], spared: [], failed: [], skipped };
  }
  const decision = decideSnapshots(tags, locks, finished);
  for (const s of decision.spared) log.info(`Keeping snapshot ${s.tag}: ${s.reason}`);
  const cleared: string[] = [];
  const failed: string[] = [];
  for (const tag of decision.clear) {
    if (options.dryRun) {
      log.info(`Would clear snapshot ${tag}: no backup holding it is running`);
      cleared.push(tag);
      continue;
    }
    try {
      await ctx.snapshots.clear(tag);
      log.info(`Cleared snapshot ${tag}: no backup holding it is running`);
      cleared.push(tag);
    } catch (err) {
      log.warning(`Cannot clear snapshot ${tag}: ${describeError(err)}`);
      failed.push(tag);
    }
  }
  if (!options.dryRun && ctx.locks.removeDead) {
    const removed = await ctx.locks.removeDead(locks).catch(() => 0);
    if (removed > 0) log.debug(`Removed ${removed} lock files of backups that are no longer running`);
  }
  return { cleared, spared: decision.spared.map((s) => s.tag), failed };
}

/** Marks this process's orphan cleanup of a node (real one: ops/orphan-cleanup-marker.ts). */
export interface OrphanMarkerPort {
  hold(fqdn: string): Promise<{ release(): Promise<void> }>;
}

/**
 * The orphan permit of node `fqdn` (see `NodePurgeRequest.orphanPermit`): the marker first, then
 * the locks (the order the handshake of ops/orphan-cleanup-marker.ts needs). Refused, marker
 * dropped, when a backup of the node runs or when the marker cannot be written.
 */
export function orphanPermitFor(locks: BackupLocksPort, markers: OrphanMarkerPort, fqdn: string): () => Promise<OrphanCleanupPermit> {
  return async () => {
    let marker: { release(): Promise<void> };
    try {
      marker = await markers.hold(fqdn);
    } catch (err) {
      return { refused: `cannot mark the cleanup for running backups to see (${describeError(err)})`, release: () => Promise.resolve() };
    }
    try {
      const refused = orphanCleanupBlocker(fqdn, await locks.read());
      if (refused === undefined) return { release: () => marker.release() };
      await marker.release();
      return { refused, release: () => Promise.resolve() };
    } catch (err) {
      await marker.release();
      throw err;
    }
  };
}

/** The orphan guard of node `fqdn` (see `NodePurgeRequest.orphanGuard`): reads the locks each time. */
export function orphanGuardFor(locks: BackupLocksPort, fqdn: string): () => Promise<string | undefined> {
  return async () => orphanCleanupBlocker(fqdn, await locks.read());
}
