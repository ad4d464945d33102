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
import { metaKey } from '../../layout/keys.js';
import type { AgentContext } from '../context.js';
import { rpcError } from '../rpc-error.js';
import type { BackupStatusRequest, BackupStatusResponse, StatusType } from '../wire.js';
import { localTimestamp, requireSegment } from './names.js';

/** Whether a live lock of this host (not a backup-cluster hold) says backup `name` of `fqdn` runs. */
async function runningElsewhere(ctx: AgentContext, fqdn: string, name: string): Promise<boolean> {
  const locks = await ctx.readLocks();
  return locks.some((v) => v.live && v.record && v.record.expires === undefined && v.record.fqdn === fqdn && v.record.backupName === name);
}

export async function backupStatus(ctx: AgentContext, request: BackupStatusRequest): Promise<BackupStatusResponse> {
  const name = requireSegment('backupName', request.backupName);
  return ctx.configs.with(async ({ config, storage, layout }) => {
    const fqdn = config.storage.fqdn;
    const [schema, manifest] = await Promise.all([
      storage.stat(metaKey(layout, fqdn, name, 'schema.cql')),
      storage.stat(metaKey(layout, fqdn, name, 'manifest.json')),
    ]);
    const run = ctx.runs.find(name, fqdn);
    const active = run !== undefined && (run.state.kind === 'starting' || run.state.kind === 'running');
    const failedHere = run?.state.kind === 'failed';
    if (!schema) {
      if (active || failedHere) return { startTime: localTimestamp(run.acceptedAt), finishTime: '', status: active ? 'IN_PROGRESS' : 'FAILED' };
      throw rpcError.notFound(`backup <${name}> does not exist`);
    }
    let status: StatusType;
    if (active) status = 'IN_PROGRESS';
    else if (failedHere) status = 'FAILED';
    else if (await runningElsewhere(ctx, fqdn, name)) status = 'IN_PROGRESS';
    else status = manifest ? 'SUCCESS' : 'FAILED';
    return {
      startTime: localTimestamp(schema.lastModified.getTime()),
      finishTime: manifest ? localTimestamp(manifest.lastModified.getTime()) : '',
      status,
    };
  });
}
