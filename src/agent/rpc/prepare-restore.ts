/**
 * PrepareRestore: the mapping of a backup's hosts onto this cluster's live ring, written to
 * `<restore mapping folder>/<restoreKey>` (ops/api/prepare-restore.ts). The `datacenter` field is
 * ignored, as in Medusa. An unknown backup is NOT_FOUND (Medusa: INTERNAL); any other failure
 * INTERNAL "Failed to prepare restore: ...".
 */
import { BackupNotFoundError } from '../../ops/api/backups.js';
import { runPrepareRestore } from '../../ops/api/prepare-restore.js';
import type { AgentContext } from '../context.js';
import { rpcError } from '../rpc-error.js';
import type { PrepareRestoreRequest, PrepareRestoreResponse } from '../wire.js';
import { requireSegment } from './names.js';

export async function prepareRestore(ctx: AgentContext, request: PrepareRestoreRequest): Promise<PrepareRestoreResponse> {
  const backupName = requireSegment('backupName', request.backupName);
  const restoreKey = requireSegment('restoreKey', request.restoreKey);
  return ctx.configs.with(async ({ session }) => {
    try {
      await runPrepareRestore(session, { backupName, restoreKey, mappingDir: ctx.restoreMappingDir });
    } catch (err) {
      if (err instanceof BackupNotFoundError) throw rpcError.notFound(`backup ${backupName} does not exist`);
      throw err;
    }
    return {};
  });
}
