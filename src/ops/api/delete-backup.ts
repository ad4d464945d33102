/**
 * Entry point of `medusa delete-backup` (and the agent's DeleteBackup): deletes the named backups
 * of this node, or of every node, with the metrics sink of `[monitoring]`.
 */
import { createMetricsSink } from '../../monitoring/create.js';
import { deleteBackups } from '../delete-backup.js';
import type { PurgeReport } from '../purge-run.js';
import type { RunOptions, Session } from './session.js';

export type { PurgeReport } from '../purge-run.js';
export { UnknownBackupsError } from '../delete-backup.js';

/** What a face asks of a deletion. */
export interface DeleteBackupRequest {
  /** Backup names; every one must exist, else nothing is deleted. */
  readonly names: readonly string[];
  /** On every node that has them, not only this one (`[storage] fqdn`). */
  readonly allNodes: boolean;
  readonly dryRun: boolean;
}

/** Deletes the backups; returns what was (or would be) deleted. `run.signal` stops it before the next node's deletions. */
export async function runDeleteBackup(session: Session, request: DeleteBackupRequest, run: RunOptions = {}): Promise<PurgeReport> {
  const { config, log } = session;
  const metrics = createMetricsSink(config.monitoring, log);
  try {
    return await deleteBackups(
      { storage: session.storage, layout: session.layout, log, clock: session.clock, metrics, ...(run.signal ? { signal: run.signal } : {}), ...(run.progress ? { progress: run.progress } : {}) },
      {
        names: request.names,
        allNodes: request.allNodes,
        fqdn: config.storage.fqdn,
        graceDays: config.storage.backup_grace_period_in_days,
        dryRun: request.dryRun,
      },
    );
  } finally {
    await metrics.close();
  }
}
