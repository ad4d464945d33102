/**
 * Runs node purges one node after another and sums them up the way Medusa reports a purge
 * (`Purged N objects with a total size of ...`, `N objects within D days grace period were not
 * deleted`), plus the JSON figures k8ssandra's MedusaTask shows. Also sends the command's
 * error metric (0 on success, 1 on failure), as Medusa does; a dry run sends none.
 */
import type { CatalogContext } from '../catalog/catalog.js';
import { formatBytesStr } from '../util/medusa-format.js';
import type { MetricTags, MetricsSink, PurgeMetricEvent } from '../monitoring/types.js';
import type { ProgressReporter } from '../transfer/progress.js';
import type { Clock } from '../util/clock.js';
import { OperationError, throwIfAborted } from '../util/errors.js';
import { applyNodePurge, prepareNodePurge, type NodePurgeOutcome, type NodePurgeRequest, type PreparedNodePurge } from './purge-node.js';

/** The summary figures (gRPC / k8ssandra names). */
export interface PurgeTotals {
  readonly nbBackupsPurged: number;
  readonly nbObjectsPurged: number;
  readonly totalPurgedSize: number;
  readonly totalObjectsWithinGcGrace: number;
}

/** What a purge did, or with `dryRun` would do. */
export interface PurgeReport {
  readonly dryRun: boolean;
  /** One per node, in the order they were handled. */
  readonly nodes: readonly PreparedNodePurge[];
  /** Empty for a dry run. */
  readonly outcomes: readonly NodePurgeOutcome[];
  /** Applied figures; for a dry run, the planned ones. */
  readonly totals: PurgeTotals;
}

function plannedTotals(nodes: readonly PreparedNodePurge[]): PurgeTotals {
  return {
    nbBackupsPurged: nodes.reduce((n, p) => n + p.plan.backups.length, 0),
    nbObjectsPurged: nodes.reduce((n, p) => n + p.plan.objects, 0),
    totalPurgedSize: nodes.reduce((n, p) => n + p.plan.size, 0),
    totalObjectsWithinGcGrace: nodes.reduce((n, p) => n + p.plan.sparedByGrace, 0),
  };
}

function appliedTotals(outcomes: readonly NodePurgeOutcome[]): PurgeTotals {
  return {
    nbBackupsPurged: outcomes.reduce((n, o) => n + o.backupsPurged, 0),
    nbObjectsPurged: outcomes.reduce((n, o) => n + o.objectsPurged, 0),
    totalPurgedSize: outcomes.reduce((n, o) => n + o.sizePurged, 0),
    totalObjectsWithinGcGrace: outcomes.reduce((n, o) => n + o.prepared.plan.sparedByGrace, 0),
  };
}

/** What node purges run with: an aborted `signal` stops them before the next node's deletions. */
export interface NodePurgesContext extends CatalogContext {
  readonly signal?: AbortSignal;
  /** Sees one `delete` batch per node whose deletions run. */
  readonly progress?: ProgressReporter;
}

/**
 * Prepares and (unless `dryRun`) applies each request in turn, logs the totals, and throws an
 * `OperationError` naming the first failed key when any deletion failed (after trying them all).
 * An aborted `ctx.signal` ends it with an `OperationAbortedError` before the next node is
 * prepared or its deletions begin; a node whose deletions have begun is finished first (they are
 * staged so that no stage is left half done).
 */
export async function runNodePurges(
  ctx: NodePurgesContext,
  requests: readonly NodePurgeRequest[],
  options: { readonly dryRun: boolean; readonly graceDays: number },
): Promise<PurgeReport> {
  const nodes: PreparedNodePurge[] = [];
  const outcomes: NodePurgeOutcome[] = [];
  for (const req of requests) {
    throwIfAborted(ctx.signal, 'Purge');
    const prepared = await prepareNodePurge(ctx, req);
    nodes.push(prepared);
    throwIfAborted(ctx.signal, 'Purge');
    if (!options.dryRun) outcomes.push(await applyNodePurge(ctx, prepared, ctx.progress));
  }
  const totals = options.dryRun ? plannedTotals(nodes) : appliedTotals(outcomes);
  const verb = options.dryRun ? 'Would purge' : 'Purged';
  ctx.log.info(`${verb} ${totals.nbObjectsPurged} objects with a total size of ${formatBytesStr(totals.totalPurgedSize)}`);
  if (totals.totalObjectsWithinGcGrace > 0) {
    const spared = options.dryRun ? 'would not be deleted' : 'were not deleted';
    ctx.log.info(`${totals.totalObjectsWithinGcGrace} objects within ${options.graceDays} days grace period ${spared}`);
  }
  const failed = outcomes.flatMap((o) => o.failed);
  const first = failed[0];
  if (first) {
    for (const f of failed.slice(0, 20)) ctx.log.error(`Could not delete ${f.key}: ${f.error.message}`);
    throw new OperationError(`${failed.length} objects could not be deleted (first: ${first.key}: ${first.error.message}); run the command again`);
  }
  return { dryRun: options.dryRun, nodes, outcomes, totals };
}

/**
 * Runs `body` and sends `tags` = 0 after success, 1 after failure (then rethrows). Nothing is sent
 * when `metrics` is undefined or for a dry run (a rehearsal must not clear an alert).
 */
export async function withErrorMetric<T>(metrics: MetricsSink | undefined, tags: MetricTags, dryRun: boolean, body: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await body();
  } catch (err) {
    if (metrics && !dryRun) await metrics.send(tags, 1).catch(() => undefined);
    throw err;
  }
  if (metrics && !dryRun) await metrics.send(tags, 0);
  return result;
}

/** Which purge command runs, on which node, for {@link withPurgeMetrics}. */
export interface PurgeMetricsScope {
  readonly metrics: MetricsSink | undefined;
  readonly clock: Clock;
  /** Medusa's error metric of the command. */
  readonly tags: MetricTags;
  readonly command: PurgeMetricEvent['command'];
  /** The node the command runs on. */
  readonly fqdn: string;
  readonly dryRun: boolean;
}

/**
 * {@link withErrorMetric}, then one purge event (figures on success; nothing for a dry run, which
 * deletes nothing and must not count as a run).
 */
export async function withPurgeMetrics<T extends PurgeReport>(scope: PurgeMetricsScope, body: () => Promise<T>): Promise<T> {
  const event = (ok: boolean, report?: PurgeReport): PurgeMetricEvent => ({
    kind: 'purge',
    command: scope.command,
    fqdn: scope.fqdn,
    finished: scope.clock.now(),
    ok,
    ...(report
      ? {
          figures: {
            backupsDeleted: report.totals.nbBackupsPurged,
            objectsDeleted: report.totals.nbObjectsPurged,
            bytesDeleted: report.totals.totalPurgedSize,
            objectsWithinGrace: report.totals.totalObjectsWithinGcGrace,
          },
        }
      : {}),
  });
  const record = scope.dryRun ? undefined : scope.metrics?.record?.bind(scope.metrics);
  let report: T;
  try {
    report = await withErrorMetric(scope.metrics, scope.tags, scope.dryRun, body);
  } catch (err) {
    await record?.(event(false));
    throw err;
  }
  await record?.(event(true, report));
  return report;
}
