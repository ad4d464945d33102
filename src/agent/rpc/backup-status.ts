/**
 * BackupStatus: one backup of THIS node (spec medusa-agent.md §2), answered from the bucket and
 * from what is running, so it is right after a restart and for backups the CLI took:
 *
 * - `startTime`/`finishTime`: times of the node backup's `meta/schema.cql` and `meta/manifest.json`
 *   (local time, `finishTime` "" while there is no manifest);
 * - status: IN_PROGRESS while this agent runs it, or a live backup lock of this host names it (a
 *   CLI backup); FAILED when this agent's run of it failed; otherwise SUCCESS when the manifest
 *   exists, FAILED when it does not (a crashed run: its lock is dead, its manifest never written);
 * - no `meta/schema.cql`: NOT_FOUND "backup <name> does not exist" (the operator counts it failed),
 *   except while this agent is still reading the schema for a backup it accepted (IN_PROGRESS;
 *   Medusa answers NOT_FOUND in that window) or after such a run failed (FAILED).
 */
import { nodeBackupState } from '../../ops/api/backup-state.js';
import type { AgentContext } from '../context.js';
import { rpcError } from '../rpc-error.js';
import type { BackupStatusRequest, BackupStatusResponse, StatusType } from '../wire.js';
import { localTimestamp, requireSegment } from './names.js';

export async function backupStatus(ctx: AgentContext, request: BackupStatusRequest): Promise<BackupStatusResponse> {
  const name = requireSegment('backupName', request.backupName);
  return ctx.configs.with(async ({ session }) => {
    const fqdn = session.config.storage.fqdn;
    const state = await nodeBackupState(session, name);
    const run = ctx.runs.find(name, fqdn);
    const active = run !== undefined && (run.state.kind === 'starting' || run.state.kind === 'running');
    const failedHere = run?.state.kind === 'failed';
    if (state.started === undefined) {
      if (run && (active || failedHere)) return { startTime: localTimestamp(run.acceptedAt), finishTime: '', status: active ? 'IN_PROGRESS' : 'FAILED' };
      throw rpcError.notFound(`backup <${name}> does not exist`);
    }
    let status: StatusType;
    if (active || state.runningHere) status = 'IN_PROGRESS';
    else if (failedHere) status = 'FAILED';
    else status = state.finished !== undefined ? 'SUCCESS' : 'FAILED';
    return {
      startTime: localTimestamp(state.started),
      finishTime: state.finished !== undefined ? localTimestamp(state.finished) : '',
      status,
    };
  });
}
