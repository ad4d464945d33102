/**
 * GetBackups and GetBackup: cluster backups of the whole bucket, as `BackupSummary` messages
 * (summary.ts), read from the index on every call (nothing but immutable manifest totals is
 * kept between calls, so a backup taken or deleted elsewhere shows at once).
 *
 * GetBackups lists every cluster backup (Medusa's `show_all`), oldest first. GetBackup of a name
 * the index lacks fails with INTERNAL, not NOT_FOUND: that is Medusa's contract, and clients
 * built on it (the Python client's `get_backup`) treat any failure alike.
 */
import pLimit from 'p-limit';
import { listClusterBackups, type CatalogContext } from '../../catalog/catalog.js';
import { clusterBackupTotals, type NodeTotalsCache } from '../../catalog/node-totals.js';
import type { ClusterBackup } from '../../domain/backups.js';
import { BackupNotFoundError, findClusterBackup } from '../../ops/find-backup.js';
import type { CallContext } from '../server.js';
import type { AgentContext } from '../context.js';
import { rpcError } from '../rpc-error.js';
import { backupSummary, byStartTime, overallStatus } from '../summary.js';
import type { BackupSummaryMessage, GetBackupRequest, GetBackupResponse, GetBackupsResponse } from '../wire.js';
import { requireSegment } from './names.js';

/** Cluster backups summarised at once (each reads its node backups' manifests, 16 at a time). */
const SUMMARY_CONCURRENCY = 4;

async function summarise(catalog: CatalogContext, backup: ClusterBackup, totals: NodeTotalsCache): Promise<BackupSummaryMessage> {
  const read = await clusterBackupTotals(catalog, backup, totals);
  return backupSummary(read.backup, read.totals);
}

export async function getBackups(ctx: AgentContext, call: CallContext): Promise<GetBackupsResponse> {
  return ctx.configs.with(async (g) => {
    const catalog: CatalogContext = { storage: g.storage, layout: g.layout, log: ctx.log };
    const backups = await listClusterBackups(catalog);
    call.signal.throwIfAborted();
    const limit = pLimit(SUMMARY_CONCURRENCY);
    const summaries = await Promise.all(
      backups.map((b) =>
        limit(() => {
          call.signal.throwIfAborted();
          return summarise(catalog, b, g.totals);
        }),
      ),
    );
    const sorted = byStartTime(summaries);
    return { backups: sorted, overallStatus: overallStatus(sorted) };
  });
}

export async function getBackup(ctx: AgentContext, request: GetBackupRequest): Promise<GetBackupResponse> {
  const name = requireSegment('backupName', request.backupName);
  return ctx.configs.with(async (g) => {
    const catalog: CatalogContext = { storage: g.storage, layout: g.layout, log: ctx.log };
    let backup: ClusterBackup;
    try {
      backup = await findClusterBackup(catalog, name);
    } catch (err) {
      if (err instanceof BackupNotFoundError) throw rpcError.internal(`Failed to get backup due to error: 'The backup ${name} does not exist'`);
      throw err;
    }
    const summary = await summarise(catalog, backup, g.totals);
    return { backup: summary, status: summary.status };
  });
}
