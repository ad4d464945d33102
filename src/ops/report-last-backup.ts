/**
 * `report-last-backup` (reference §6.5): how long ago this node's latest backup finished, the
 * latest complete cluster backup, and the latest cluster backup with its node counts and size, as
 * log lines; with `--push-metrics` also as metrics. Three attempts, 15 s apart; when all fail and
 * metrics are pushed, `seconds-since-backup` is set to ~10 years so alerts fire.
 */
import { listClusterBackups, type CatalogContext } from '../catalog/catalog.js';
import { clusterTotals, detailClusterBackup } from '../catalog/details.js';
import { latestBackupKey, metaKey } from '../layout/keys.js';
import { latestBackup } from '../plan/cluster-backups.js';
import { latestConfirmedCompleteBackup } from './latest-complete.js';
import { NotFoundError } from '../storage/errors.js';
import { getText } from '../storage/helpers.js';
import type { MetricsSink, ReportMetricEvent } from '../monitoring/types.js';
import type { Clock } from '../util/clock.js';
import { describeError, OperationError, throwIfAborted } from '../util/errors.js';
import { buildIndex } from './build-index.js';
import { humanReadableSize } from '../util/medusa-format.js';

const MAX_ATTEMPTS = 3;
const RETRY_DELAY_MS = 15_000;
/** ~10 years, Medusa's "monitoring is broken" value. */
const TRACKING_ERROR_SECONDS = 315365400;

/** What the report found (also logged as it is found, in Medusa's words). */
export interface LastBackupReport {
  /** This node's latest finished backup; undefined when it has none. */
  readonly node?: { readonly name: string; readonly secondsAgo: number; /** epoch seconds */ readonly finished: number };
  /** The latest complete cluster backup, confirmed by its manifests. */
  readonly latestComplete?: { readonly name: string; readonly secondsAgo: number; /** epoch seconds */ readonly finished: number };
  /** The latest cluster backup, complete or not, with its node counts and finished totals. */
  readonly latest?: {
    readonly name: string;
    readonly complete: boolean;
    readonly completeNodes: number;
    readonly incompleteNodes: readonly string[];
    readonly missingNodes: readonly string[];
    readonly size: number;
    readonly files: number;
  };
}

export interface ReportContext extends CatalogContext {
  readonly fqdn: string;
  readonly clock: Clock;
  readonly metrics?: MetricsSink;
  /** Stops the retries: no further attempt once aborted. */
  readonly signal?: AbortSignal;
}

/** The node's latest finished backup from the index pointer, or undefined. */
async function latestNodeBackup(ctx: ReportContext): Promise<{ name: string; finished: number } | undefined> {
  try {
    const name = await getText(ctx.storage, latestBackupKey(ctx.layout, ctx.fqdn, 'backup_name.txt'));
    const [schema, manifest] = await Promise.all([
      ctx.storage.stat(metaKey(ctx.layout, ctx.fqdn, name, 'schema.cql')),
      ctx.storage.stat(metaKey(ctx.layout, ctx.fqdn, name, 'manifest.json')),
    ]);
    if (!schema) {
      ctx.log.warning('Latest backup points to non-existent backup');
      return undefined;
    }
    if (!manifest) return undefined;
    return { name, finished: Math.floor(manifest.lastModified.getTime() / 1000) };
  } catch (err) {
    if (err instanceof NotFoundError) {
      ctx.log.info(`Node ${ctx.fqdn} does not have latest backup`);
      return undefined;
    }
    throw err;
  }
}

async function reportNode(ctx: ReportContext, push: boolean): Promise<LastBackupReport['node']> {
  let latest = await latestNodeBackup(ctx);
  if (!latest) {
    ctx.log.info('Did not find the latest node backup. Will try rebuild the index');
    await buildIndex(ctx, false);
    latest = await latestNodeBackup(ctx);
  }
  if (!latest) {
    ctx.log.info('This node has not been backed up yet');
    return undefined;
  }
  const secondsAgo = Math.floor(ctx.clock.now() / 1000) - latest.finished;
  ctx.log.info(`Latest node backup finished ${secondsAgo} seconds ago`);
  if (push) await ctx.metrics?.send(['medusa-node-backup', 'seconds-since-backup', latest.name], secondsAgo);
  return { name: latest.name, secondsAgo, finished: latest.finished };
}

async function reportCluster(ctx: ReportContext, push: boolean): Promise<Omit<LastBackupReport, 'node'>> {
  const backups = await listClusterBackups(ctx);
  const complete = await latestConfirmedCompleteBackup(ctx, backups);
  let latestComplete: LastBackupReport['latestComplete'];
  if (!complete) {
    ctx.log.info('The cluster this node belongs to has no complete backup yet');
  } else {
    const secondsAgo = Math.floor(ctx.clock.now() / 1000) - complete.finished!;
    ctx.log.info('Latest complete backup:');
    ctx.log.info(`- Name: ${complete.name}`);
    ctx.log.info(`- Finished: ${secondsAgo} seconds ago`);
    if (push) await ctx.metrics?.send(['medusa-cluster-backup', 'seconds-since-backup', complete.name], secondsAgo);
    latestComplete = { name: complete.name, secondsAgo, finished: complete.finished! };
  }
  const latest = latestBackup(backups);
  if (!latest) {
    ctx.log.info('The cluster this node belongs to has not started a backup yet');
    return latestComplete ? { latestComplete } : {};
  }
  const detailed = await detailClusterBackup(ctx, latest);
  const { backup } = detailed;
  ctx.log.info('Latest backup:');
  ctx.log.info(`- Name: ${backup.name}`);
  ctx.log.info(`- Finished: ${backup.complete ? 'True' : 'False'}`);
  ctx.log.info('- Details - Node counts');
  ctx.log.info(`- Complete backup: ${backup.completeNodes.length} nodes have completed the backup`);
  if (backup.incompleteNodes.length > 0) {
    ctx.log.info(`- Incomplete backup: ${backup.incompleteNodes.length} nodes have not completed the backup yet`);
    ctx.log.info('  These nodes are:');
    for (const nb of backup.incompleteNodes) ctx.log.info(`     ${nb.fqdn}`);
  }
  if (backup.missingNodes.length > 0) {
    ctx.log.info(`- Missing backup: ${backup.missingNodes.length} nodes are not running backups`);
    ctx.log.info('  These nodes are:');
    for (const fqdn of backup.missingNodes) ctx.log.info(`     ${fqdn}`);
  }
  const { size, numObjects: files } = clusterTotals(detailed);
  ctx.log.info(`- Total size: ${humanReadableSize(size)}`);
  ctx.log.info(`- Total files: ${files}`);
  if (push && ctx.metrics) {
    const name = backup.name;
    await ctx.metrics.send(['medusa-cluster-backup', 'complete-backups-node-count', name], backup.completeNodes.length);
    await ctx.metrics.send(['medusa-cluster-backup', 'incomplete-backups-node-count', name], backup.incompleteNodes.length);
    await ctx.metrics.send(['medusa-cluster-backup', 'missing-backups-node-count', name], backup.missingNodes.length);
    await ctx.metrics.send(['medusa-cluster-backup', 'backup-total-size', name], size);
    await ctx.metrics.send(['medusa-cluster-backup', 'backup-total-file-count', name], files);
  }
  return {
    ...(latestComplete ? { latestComplete } : {}),
    latest: {
      name: backup.name,
      complete: backup.complete,
      completeNodes: backup.completeNodes.length,
      incompleteNodes: backup.incompleteNodes.map((nb) => nb.fqdn),
      missingNodes: [...backup.missingNodes],
      size,
      files,
    },
  };
}

/** The Prometheus-style event of a successful report (figures as the report found them). */
function reportEvent(ctx: ReportContext, report: LastBackupReport): ReportMetricEvent {
  const { node, latestComplete, latest } = report;
  return {
    kind: 'report',
    fqdn: ctx.fqdn,
    finished: ctx.clock.now(),
    ok: true,
    ...(node ? { nodeLatestFinished: node.finished } : {}),
    ...(latestComplete ? { clusterCompleteFinished: latestComplete.finished } : {}),
    ...(latest
      ? {
          clusterLatest: {
            name: latest.name,
            completeNodes: latest.completeNodes,
            incompleteNodes: latest.incompleteNodes.length,
            missingNodes: latest.missingNodes.length,
            totalBytes: latest.size,
            totalFiles: latest.files,
          },
        }
      : {}),
  };
}

/** Runs the report; throws `OperationError` after the last failed attempt. */
export async function reportLastBackup(ctx: ReportContext, push: boolean): Promise<LastBackupReport> {
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(ctx.signal, 'report-last-backup');
    try {
      ctx.log.debug(`Trying to report about existing backups (${attempt}/${MAX_ATTEMPTS})...`);
      const node = await reportNode(ctx, push);
      const cluster = await reportCluster(ctx, push);
      const report: LastBackupReport = { ...(node ? { node } : {}), ...cluster };
      if (push) await ctx.metrics?.record?.(reportEvent(ctx, report));
      return report;
    } catch (err) {
      if (attempt < MAX_ATTEMPTS && !ctx.signal?.aborted) {
        ctx.log.debug(`Report attempt ${attempt} failed (${describeError(err)}), waiting ${RETRY_DELAY_MS / 1000} seconds to retry`);
        await ctx.clock.sleep(RETRY_DELAY_MS, ctx.signal);
        continue;
      }
      if (push && ctx.metrics) {
        ctx.log.info("Sending a big value to 'seconds-since-backup' metric to trigger alerts.");
        await ctx.metrics.send(['medusa-cluster-backup', 'seconds-since-backup', 'TRACKING-ERROR'], TRACKING_ERROR_SECONDS);
        await ctx.metrics.record?.({ kind: 'report', fqdn: ctx.fqdn, finished: ctx.clock.now(), ok: false });
      }
      throw new OperationError(`This error happened during the check: ${describeError(err)}`, { cause: err });
    }
  }
}
