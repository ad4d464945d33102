/**
 * Backup and AsyncBackup: a backup of this node, one at a time (design §5).
 *
 * - AsyncBackup answers IN_PROGRESS as soon as the backup is accepted, and the backup runs on;
 *   Backup answers once it has ended: SUCCESS, or INTERNAL with why it failed.
 * - The name this agent is backing up again: nothing new starts; AsyncBackup answers IN_PROGRESS
 *   (the operator re-sends), Backup waits for that run. A backup of this node another process of
 *   this host runs (a CLI backup) counts the same way for its own name.
 * - Another name while one runs: FAILED_PRECONDITION at once, naming the running backup (Medusa
 *   answers IN_PROGRESS, then fails it in the background).
 * - A name this node already has in the bucket: ALREADY_EXISTS (complete, or left unfinished by a
 *   run that died: that one reads FAILED).
 * - Mode FULL is a full backup; anything else differential, as in Medusa.
 *
 * A run uses the session of its request until it ends (a changed medusa.ini applies to the next
 * backup), and first cleans up after backups of dead processes on this host. A client that goes
 * away does not stop a backup; stopping the agent does (cleanly: agent.ts).
 */
import { clearCrashedBackups, nodeBackupState, runningBackupsHere } from '../../ops/api/backup-state.js';
import { runBackup } from '../../ops/api/backup.js';
import type { BackupMode, BackupRun } from '../backup-runs.js';
import type { ConfigLease } from '../config-source.js';
import type { AgentContext } from '../context.js';
import { rpcError } from '../rpc-error.js';
import type { BackupRequest, BackupResponse } from '../wire.js';
import { localTimestamp, requireSegment } from './names.js';

/** What accepting a request gave. */
type Accepted =
  | { readonly kind: 'started'; readonly run: BackupRun }
  | { readonly kind: 'running-here'; readonly run: BackupRun }
  | { readonly kind: 'running-elsewhere'; readonly pid: number };

function modeOf(request: BackupRequest): BackupMode {
  return request.mode === 'FULL' ? 'full' : 'differential';
}

/** Checks the request against what runs and what the bucket holds; starts the backup when it may. */
async function accept(ctx: AgentContext, request: BackupRequest): Promise<Accepted> {
  const name = requireSegment('name', request.name);
  const mode = modeOf(request);
  const lease: ConfigLease = await ctx.configs.lease();
  let reserved: BackupRun | undefined;
  let handedOver = false;
  try {
    const { session } = lease.generation;
    const fqdn = session.config.storage.fqdn;
    // Check and reservation in one synchronous step: two requests cannot both pass.
    const current = ctx.runs.current;
    if (current) {
      if (current.name === name && current.fqdn === fqdn) return { kind: 'running-here', run: current };
      throw rpcError.failedPrecondition(`backup ${current.name} is running on this node (accepted ${localTimestamp(current.acceptedAt)}); backup ${name} was not started: send it again once ${current.name} has ended`);
    }
    reserved = ctx.runs.reserve(name, fqdn, mode, ctx.clock.now())!;
    const elsewhere = await runningBackupsHere(session);
    const same = elsewhere.find((b) => b.backupName === name);
    if (same) return { kind: 'running-elsewhere', pid: same.pid };
    const other = elsewhere[0];
    if (other) throw rpcError.failedPrecondition(`backup ${other.backupName} of ${fqdn} is running on this host (process ${other.pid}); backup ${name} was not started: send it again once it has ended`);
    const state = await nodeBackupState(session, name);
    if (state.started !== undefined) {
      throw rpcError.alreadyExists(
        state.finished !== undefined
          ? `backup ${name} of ${fqdn} already exists (complete since ${localTimestamp(state.finished)}): choose another name`
          : `backup ${name} of ${fqdn} was started ${localTimestamp(state.started)} and never finished (it is FAILED): delete it or choose another name`,
      );
    }
    const run = reserved;
    ctx.log.info(`Starting ${mode} backup ${name} of ${fqdn}`);
    ctx.runs.start(run, async (signal) => {
      try {
        await clearCrashedBackups(session);
        await runBackup(session, { backupName: name, mode, enableMd5Checks: false, keepSnapshot: false, useExistingSnapshot: false, startedAt: run.acceptedAt }, { signal });
        ctx.log.info(`Backup ${name} of ${fqdn} complete`);
      } catch (err) {
        ctx.log.error(`Backup ${name} of ${fqdn} failed: ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      } finally {
        lease.release();
      }
    });
    handedOver = true;
    return { kind: 'started', run };
  } finally {
    // A started run owns its reservation and session until it ends; every other path gives them back.
    if (!handedOver) {
      if (reserved) ctx.runs.cancel(reserved);
      lease.release();
    }
  }
}

/** AsyncBackup: IN_PROGRESS once accepted. */
export async function asyncBackup(ctx: AgentContext, request: BackupRequest): Promise<BackupResponse> {
  const accepted = await accept(ctx, request);
  if (accepted.kind !== 'started') ctx.log.info(`Backup ${request.name} is already running${accepted.kind === 'running-elsewhere' ? ` (process ${accepted.pid})` : ''}: nothing new started`);
  return { backupName: request.name, status: 'IN_PROGRESS' };
}

/** Backup: waits for the run (a new one, or the one already running here) and answers its outcome. */
export async function syncBackup(ctx: AgentContext, request: BackupRequest): Promise<BackupResponse> {
  const accepted = await accept(ctx, request);
  if (accepted.kind === 'running-elsewhere') {
    throw rpcError.failedPrecondition(`backup ${request.name} is being taken by process ${accepted.pid} of this host: ask BackupStatus for its outcome`);
  }
  await accepted.run.done;
  const state = accepted.run.state;
  if (state.kind === 'failed') throw rpcError.internal(`Failed to create sync backups: ${state.error}`);
  return { backupName: request.name, status: 'SUCCESS' };
}
