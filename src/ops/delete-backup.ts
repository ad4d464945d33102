/**
 * `delete-backup` (reference §6.1): deletes the named backups on this node (default) or on every
 * node (`--all-nodes`), then cleans the pools of the nodes touched, honouring the grace period.
 * Every name must exist; otherwise one error names all the unknown ones and nothing is deleted
 * (Medusa ends in a traceback after the first).
 */
import { listNodeBackups, type CatalogContext } from '../catalog/catalog.js';
import type { MetricsSink } from '../monitoring/types.js';
import type { ProgressReporter } from '../transfer/progress.js';
import type { Clock } from '../util/clock.js';
import { OperationError } from '../util/errors.js';
import { listIndexKeys, type NodePurgeRequest } from './purge-node.js';
import { runNodePurges, withPurgeMetrics, type PurgeReport } from './purge-run.js';

/** What a deletion runs with. */
export interface DeleteBackupContext extends CatalogContext {
  readonly clock: Clock;
  readonly metrics?: MetricsSink;
  /** Stops the run before the next node's deletions (see `runNodePurges`). */
  readonly signal?: AbortSignal;
  /** Sees one `delete` batch per node whose deletions run. */
  readonly progress?: ProgressReporter;
}

export interface DeleteBackupOptions {
  /** Backup names (duplicates are ignored). */
  readonly names: readonly string[];
  /** Delete on every node that has them, not only on `fqdn`. */
  readonly allNodes: boolean;
  /** This node (`[storage] fqdn` or `--fqdn`). */
  readonly fqdn: string;
  readonly graceDays: number;
  readonly dryRun: boolean;
}

/** Some names given to `delete-backup` are not backups in the bucket. */
export class UnknownBackupsError extends OperationError {
  readonly names: readonly string[];

  constructor(names: readonly string[]) {
    super(`No such backup${names.length > 1 ? 's' : ''}: ${names.join(', ')}; nothing was deleted`);
    this.names = names;
  }
}

/** Deletes the named backups. Throws `UnknownBackupsError` before deleting anything if a name is unknown. */
export async function deleteBackups(ctx: DeleteBackupContext, options: DeleteBackupOptions): Promise<PurgeReport> {
  const scope = { metrics: ctx.metrics, clock: ctx.clock, tags: ['medusa-node-backup', 'delete-error', 'DELETE-ERROR'], command: 'delete-backup', fqdn: options.fqdn, dryRun: options.dryRun } as const;
  return withPurgeMetrics(scope, async () => {
    const names = [...new Set(options.names)];
    const wanted = new Set(names);
    const indexKeys = await listIndexKeys(ctx);
    const all = await listNodeBackups(ctx);
    const existing = new Set(all.map((nb) => nb.name));
    const unknown = names.filter((n) => !existing.has(n));
    if (unknown.length > 0) throw new UnknownBackupsError(unknown);

    const targets = all.filter((nb) => wanted.has(nb.name) && (options.allNodes || nb.fqdn === options.fqdn));
    const fqdns = [...new Set(targets.map((nb) => nb.fqdn))].sort();
    if (fqdns.length === 0) {
      ctx.log.info(`Node ${options.fqdn} has no backup named ${names.join(', ')}; only its orphaned files are cleaned up`);
      fqdns.push(options.fqdn);
    }
    ctx.log.info(`Deleting Backup(s) ${names.join(',')}...`);
    ctx.log.info(`${targets.length} backups are candidate to be purged`);
    const nowSeconds = Math.floor(ctx.clock.now() / 1000);
    const requests: NodePurgeRequest[] = fqdns.map((fqdn) => ({
      fqdn,
      indexKeys,
      purge: targets.filter((nb) => nb.fqdn === fqdn).map((backup) => ({ backup, reasons: [{ kind: 'requested' }] })),
      remaining: all.filter((nb) => nb.fqdn === fqdn && !wanted.has(nb.name)),
      graceDays: options.graceDays,
      nowSeconds,
    }));
    return runNodePurges(ctx, requests, { dryRun: options.dryRun, graceDays: options.graceDays });
  });
}
