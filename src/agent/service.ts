/**
 * The `Medusa` service's handlers over one agent context: each rpc is one call into its handler
 * module (src/agent/rpc/). Medusa's words before a failure are kept per rpc, so logs and clients
 * read the same sentences ("Failed to get backups due to error: ...").
 */
import type { AgentContext } from './context.js';
import { asyncBackup, syncBackup } from './rpc/backup.js';
import { backupStatus } from './rpc/backup-status.js';
import { deleteBackup } from './rpc/delete-backup.js';
import { getBackup, getBackups } from './rpc/get-backups.js';
import { prepareRestore } from './rpc/prepare-restore.js';
import { purgeBackups } from './rpc/purge-backups.js';
import type { MedusaHandlers } from './server.js';
import type { RpcName } from './wire.js';

/** Medusa's prefixes of failure details, per rpc. */
export const ERROR_PREFIXES: Partial<Record<RpcName, string>> = {
  Backup: 'Failed to create sync backups: ',
  AsyncBackup: 'Failed to create async backup: ',
  GetBackup: 'Failed to get backup due to error: ',
  GetBackups: 'Failed to get backups due to error: ',
  DeleteBackup: 'deleting backups failed: ',
  PurgeBackups: 'purging backups failed: ',
  PrepareRestore: 'Failed to prepare restore: ',
};

/** The handlers of every rpc. */
export function medusaHandlers(ctx: AgentContext): MedusaHandlers {
  return {
    Backup: (request) => syncBackup(ctx, request),
    AsyncBackup: (request) => asyncBackup(ctx, request),
    BackupStatus: (request) => backupStatus(ctx, request),
    DeleteBackup: (request) => deleteBackup(ctx, request),
    GetBackup: (request) => getBackup(ctx, request),
    GetBackups: (_request, call) => getBackups(ctx, call),
    PurgeBackups: () => purgeBackups(ctx),
    PrepareRestore: (request) => prepareRestore(ctx, request),
  };
}
