/**
 * Entry point of `medusa purge` (and the agent's PurgeBackups): retention for this node, as
 * `[storage]` sets it (`max_backup_age`, `max_backup_count`, the grace period). Builds from the
 * session what ops/purge.ts runs with (the metrics sink, the node's snapshots through its route (nodetool, the Management API or Jolokia),
 * this host's backup locks and orphan-cleanup markers in the session's cache folder), runs it,
 * and closes the sink in every path.
 */
import { localSnapshotRoute } from '../../cassandra/local-node.js';
import { createMetricsSink } from '../../monitoring/create.js';
import { backupLockDir, readBackupLocks, removeDeadLocks } from '../backup-lock.js';
import { holdOrphanCleanupMarker } from '../orphan-cleanup-marker.js';
import { purge } from '../purge.js';
import type { PurgeReport } from '../purge-run.js';
import type { RunOptions, Session } from './session.js';

export type { PurgeReport, PurgeTotals } from '../purge-run.js';

/** What a face asks of a purge. */
export interface PurgeRequest {
  /** Plan and report only; nothing is written or deleted. */
  readonly dryRun: boolean;
}

/**
 * Purges this node's (`[storage] fqdn`) backups; returns what was (or would be) deleted.
 * `run.signal` stops it before any deletion begins, or after the node's staged deletions.
 */
export async function runPurge(session: Session, request: PurgeRequest, run: RunOptions = {}): Promise<PurgeReport> {
  const { config, log } = session;
  const s = config.storage;
  const metrics = createMetricsSink(config.monitoring, log);
  const snapshotRoute = localSnapshotRoute(config, log);
  const lockDir = backupLockDir(session.env);
  try {
    return await purge(
      {
        storage: session.storage,
        layout: session.layout,
        log,
        clock: session.clock,
        metrics,
        snapshots: { list: () => snapshotRoute.list(), clear: (tag) => snapshotRoute.clear(tag) },
        backupLocks: { read: () => readBackupLocks(lockDir), removeDead: removeDeadLocks },
        orphanMarkers: { hold: (fqdn) => holdOrphanCleanupMarker(lockDir, fqdn) },
        ...(run.signal ? { signal: run.signal } : {}), ...(run.progress ? { progress: run.progress } : {}),
      },
      {
        fqdn: s.fqdn,
        policy: { maxBackupAgeDays: s.max_backup_age, maxBackupCount: s.max_backup_count },
        graceDays: s.backup_grace_period_in_days,
        dryRun: request.dryRun,
      },
    );
  } finally {
    await metrics.close();
  }
}
