/**
 * GetBackups and GetBackup: cluster backups of the whole bucket, as `BackupSummary` messages
 * (summary.ts), read from the index on every call (nothing but immutable manifest totals is
 * kept between calls, so a backup taken or deleted elsewhere shows at once).
 *
 * GetBackups lists every cluster backup (Medusa's `show_all`), oldest first. GetBackup of a name
 * the index lacks fails with INTERNAL, not NOT_FOUND: that is Medusa's contract, and clients
 * built on it (the Python client's `get_backup`) treat any failure alike.
 */
import { BackupNotFoundError, backupWithTotals, listBackupsWithTotals, type ClusterBackupTotals } from '../../ops/api/backups.js';
import type { CallContext } from '../server.js';
import type { AgentContext } from '../context.js';
import { rpcError } from '../rpc-error.js';
import { backupSummary, byStartTime, overallStatus } from '../summary.js';
import type { GetBackupRequest, GetBackupResponse, GetBackupsResponse } from '../wire.js';
import { requireSegment } from './names.js';

export async function getBackups(ctx: AgentContext, call: CallContext): Promise<GetBackupsResponse> {
  return ctx.configs.with(async ({ session, totals }) => {
    const read = await listBackupsWithTotals(session, totals, call.signal);
    const sorted = byStartTime(read.map(backupSummary));
    return { backups: sorted, overallStatus: overallStatus(sorted) };
  });
}

export async function getBackup(ctx: AgentContext, request: GetBackupRequest): Promise<GetBackupResponse> {
  const name = requireSegment('backupName', request.backupName);
  return ctx.configs.with(async ({ session, totals }) => {
    let read: ClusterBackupTotals;
    try {
      read = await backupWithTotals(session, name, totals);
    } catch (err) {
      if (err instanceof BackupNotFoundError) throw rpcError.internal(`Failed to get backup due to error: 'The backup ${name} does not exist'`);
      throw err;
    }
    const summary = backupSummary(read);
    return { backup: summary, status: summary.status };
  });
}
