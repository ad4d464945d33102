/**
 * DeleteBackup: deletes a backup on every node that has it (Medusa's `all_nodes=True`), whatever
 * this agent has seen (Medusa only deletes names its process registered; design §5). Refused with
 * FAILED_PRECONDITION while this node is taking it (this agent, or another process of this host);
 * NOT_FOUND when the bucket has no backup of that name. On success the answer's status is UNKNOWN,
 * as Medusa answers it (the backup no longer exists).
 *
 * The deletion runs to its end even if the client goes away: it is staged so that an interruption
 * leaves an incomplete backup, never a complete one with files missing.
 */
import { runningBackupsHere } from '../../ops/api/backup-state.js';
import { runDeleteBackup, UnknownBackupsError } from '../../ops/api/delete-backup.js';
import type { AgentContext } from '../context.js';
import { rpcError } from '../rpc-error.js';
import type { DeleteBackupRequest, DeleteBackupResponse } from '../wire.js';
import { requireSegment } from './names.js';

export async function deleteBackup(ctx: AgentContext, request: DeleteBackupRequest): Promise<DeleteBackupResponse> {
  const name = requireSegment('name', request.name);
  return ctx.configs.with(async ({ session }) => {
    const fqdn = session.config.storage.fqdn;
    const current = ctx.runs.current;
    if (current?.name === name && current.fqdn === fqdn) throw rpcError.failedPrecondition(`backup ${name} is in progress on this node: it can be deleted once it has ended`);
    const elsewhere = (await runningBackupsHere(session)).find((b) => b.backupName === name);
    if (elsewhere) throw rpcError.failedPrecondition(`backup ${name} is in progress on this node (process ${elsewhere.pid}): it can be deleted once it has ended`);
    ctx.log.info(`Deleting backup ${name}`);
    try {
      await runDeleteBackup(session, { names: [name], allNodes: true, dryRun: false });
    } catch (err) {
      if (err instanceof UnknownBackupsError) throw rpcError.notFound(`backup ${name} does not exist: nothing was deleted`);
      throw err;
    }
    ctx.runs.forget(name, fqdn);
    return { name, status: 'UNKNOWN' };
  });
}
