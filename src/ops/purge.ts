/**
 * `purge` (reference §6.1, design §2 item 5): retention for one node. Its backups are chosen by
 * `max_backup_age` / `max_backup_count` counting complete backups only, then deleted with their
 * index entries, then the node's pool is cleaned of objects no remaining manifest names and older
 * than the grace period.
 *
 * "Complete" means restorable: the node backup finished, its cluster backup is complete, and its
 * manifest can be read. A backup listed as complete whose manifest turns out to be gone stops
 * counting, and the selection is made again (so the count never keeps a broken backup in place of
 * a good one).
 *
 * With the node's snapshots and this host's backup locks at hand (the CLI passes both), the purge
 * also clears the `medusa-*` snapshots no running backup holds, and skips the orphan cleanup while
 * a backup of the node runs here (see ops/purge-snapshots.ts).
 */
import pLimit from 'p-limit';
import { listNodeBackups, readNodeTokenMap, type CatalogContext } from '../catalog/catalog.js';
import type { NodeBackup } from '../domain/backups.js';
import { DocumentError } from '../domain/document-error.js';
import type { MetricsSink } from '../monitoring/types.js';
import { assembleClusterBackup, firstNodeBackup, groupByName } from '../plan/cluster-backups.js';
import { selectByRetention, type RetentionPolicy, type RetentionSelection } from '../plan/purge-selection.js';
import type { ProgressReporter } from '../transfer/progress.js';
import type { Clock } from '../util/clock.js';
import { KeptManifests } from './kept-manifests.js';
import { listIndexKeys } from './purge-node.js';
import { runNodePurges, withPurgeMetrics, type PurgeReport } from './purge-run.js';
import { clearStaleSnapshots, orphanGuardFor, orphanPermitFor, type BackupLocksPort, type OrphanMarkerPort, type SnapshotCleanupPort } from './purge-snapshots.js';

const TOKENMAP_READ_CONCURRENCY = 16;
const MANIFEST_READ_CONCURRENCY = 8;

/** What a purge runs with. */
export interface PurgeContext extends CatalogContext {
  readonly clock: Clock;
  readonly metrics?: MetricsSink;
  /** Stops the run before the next node's deletions (see `runNodePurges`). */
  readonly signal?: AbortSignal;
  /** Sees one `delete` batch per node whose deletions run. */
  readonly progress?: ProgressReporter;
  /** The node's snapshots: stale `medusa-*` ones are cleared when `backupLocks` is given too. */
  readonly snapshots?: SnapshotCleanupPort;
  /** This host's backup locks: protect running backups' snapshots and the node's pool. */
  readonly backupLocks?: BackupLocksPort;
  /** Marks the orphan cleanup for backups starting on this host (used with `backupLocks`). */
  readonly orphanMarkers?: OrphanMarkerPort;
}

export interface PurgeOptions {
  /** The node whose backups are purged (`[storage] fqdn` or `--fqdn`). */
  readonly fqdn: string;
  readonly policy: RetentionPolicy;
  /** `backup_grace_period_in_days` (or `--backup-grace-period-in-days`). */
  readonly graceDays: number;
  /** Plan and report only; nothing is written or deleted. */
  readonly dryRun: boolean;
}

/** A node backup with the completeness retention counts. */
export interface RetentionBackup extends NodeBackup {
  readonly complete: boolean;
}

/** Names of the cluster backups (among those `fqdn` took part in) that are complete. */
async function completeClusterBackups(ctx: CatalogContext, all: readonly NodeBackup[], names: ReadonlySet<string>): Promise<Set<string>> {
  const limit = pLimit(TOKENMAP_READ_CONCURRENCY);
  const complete = new Set<string>();
  const groups = [...groupByName(all.filter((nb) => names.has(nb.name)))];
  await Promise.all(
    groups.map(([name, group]) =>
      limit(async () => {
        try {
          if (assembleClusterBackup(name, group, await readNodeTokenMap(ctx, firstNodeBackup(group))).complete) complete.add(name);
        } catch (err) {
          // A damaged tokenmap makes that backup unrestorable, not the purge impossible.
          if (!(err instanceof DocumentError)) throw err;
          ctx.log.warning(`${err.message}: backup ${name} is counted as incomplete`);
        }
      }),
    ),
  );
  return complete;
}

/**
 * Selects by retention until every kept complete backup has a readable manifest, reading the kept
 * manifests into `kept` on the way.
 */
async function selectWithManifests(
  ctx: PurgeContext,
  backups: RetentionBackup[],
  options: PurgeOptions,
  kept: KeptManifests,
): Promise<RetentionSelection<RetentionBackup>> {
  const nowSeconds = Math.floor(ctx.clock.now() / 1000);
  const limit = pLimit(MANIFEST_READ_CONCURRENCY);
  let candidates = backups;
  for (;;) {
    const selection = selectByRetention(candidates, options.policy, nowSeconds);
    const sources = await Promise.all(selection.keep.map((b) => limit(async () => [b, await kept.add(b.name)] as const)));
    const broken = new Set(sources.filter(([b, source]) => b.complete && source !== 'meta').map(([b]) => b.name));
    if (broken.size === 0) return selection;
    for (const name of broken) ctx.log.warning(`Backup ${name} of ${options.fqdn} has no readable manifest: it is not counted as complete`);
    candidates = candidates.map((b) => (broken.has(b.name) ? { ...b, complete: false } : b));
  }
}

/** Runs the purge of `options.fqdn`; returns what was (or would be) deleted. */
export async function purge(ctx: PurgeContext, options: PurgeOptions): Promise<PurgeReport> {
  const scope = { metrics: ctx.metrics, clock: ctx.clock, tags: ['medusa-node-backup', 'purge-error', 'PURGE-ERROR'], command: 'purge', fqdn: options.fqdn, dryRun: options.dryRun } as const;
  return withPurgeMetrics(scope, async () => {
    const { fqdn } = options;
    ctx.log.info('Starting purge');
    // Read once; the snapshot step needs it only after it has listed the snapshots and locks.
    let listed: Promise<NodeBackup[]> | undefined;
    const listBackups = (): Promise<NodeBackup[]> => (listed ??= listNodeBackups(ctx));
    if (ctx.snapshots && ctx.backupLocks) {
      const finishedBackups = async (): Promise<ReadonlySet<string>> =>
        new Set((await listBackups()).filter((nb) => nb.fqdn === fqdn && nb.finished !== undefined).map((nb) => nb.name));
      await clearStaleSnapshots({ log: ctx.log, snapshots: ctx.snapshots, locks: ctx.backupLocks }, { dryRun: options.dryRun, finishedBackups });
    }
    ctx.log.info(`Listing backups for ${fqdn}`);
    const indexKeys = await listIndexKeys(ctx);
    const all = await listBackups();
    const mine = all.filter((nb) => nb.fqdn === fqdn);
    const complete = await completeClusterBackups(ctx, all, new Set(mine.map((nb) => nb.name)));
    const backups: RetentionBackup[] = mine.map((nb) => ({ ...nb, complete: nb.finished !== undefined && complete.has(nb.name) }));

    let kept = new KeptManifests(ctx, fqdn);
    const selection = await selectWithManifests(ctx, backups, options, kept);
    const keptNames = new Set(selection.keep.map((b) => b.name));
    if (kept.contributors().some((n) => !keptNames.has(n))) {
      // A backup read while kept was purged by a later round: start the kept paths afresh.
      kept = new KeptManifests(ctx, fqdn);
    }
    ctx.log.info(`${selection.purge.length} backups are candidate to be purged`);
    return runNodePurges(
      ctx,
      [
        {
          fqdn,
          indexKeys,
          purge: selection.purge,
          remaining: selection.keep,
          kept,
          graceDays: options.graceDays,
          nowSeconds: Math.floor(ctx.clock.now() / 1000),
          ...(ctx.backupLocks ? { orphanGuard: orphanGuardFor(ctx.backupLocks, fqdn) } : {}),
          ...(ctx.backupLocks && ctx.orphanMarkers ? { orphanPermit: orphanPermitFor(ctx.backupLocks, ctx.orphanMarkers, fqdn) } : {}),
        },
      ],
      { dryRun: options.dryRun, graceDays: options.graceDays },
    );
  });
}
