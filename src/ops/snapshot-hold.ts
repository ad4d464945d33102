/**
 * Snapshot holds. backup-cluster snapshots every host first, then runs backup-node on them in turns
 * (`--parallel-uploads` at a time): for hours, a waiting host has a `medusa-<name>` snapshot that no
 * backup running there holds, and a purge on that host would clear it as left by a crash
 * (plan/stale-snapshots.ts), costing that host the cluster's common point in time.
 *
 * So the snapshot command each host runs first writes a hold: a backup lock record in that host's
 * lock folder, naming the orchestrator's process and host, with an expiry. A purge elsewhere cannot
 * see the orchestrator end, so the hold protects until the orchestrator removes it (when the
 * cluster backup ends, whichever way) or, if the orchestrator died, until it expires. Failing to
 * write a hold does not stop the backup: it only leaves that host as exposed as before.
 *
 * Commands only; they run through the remote executor like every other step.
 */
import { randomBytes } from 'node:crypto';
import type { BackupLockRecord } from '../plan/stale-snapshots.js';
import { shellQuote } from '../remote/shell-quote.js';
import { BACKUP_LOCK_FOLDER, LOCK_SUFFIX } from './backup-lock.js';
import { CACHE_DIR_SHELL } from './hash-cache-location.js';

/** The lock folder on the host that runs the command, as `backupLockDir` finds it there. */
const LOCK_DIR_SHELL = `"${CACHE_DIR_SHELL}/${BACKUP_LOCK_FOLDER}"`;

/** A fresh file name for the holds of one cluster backup (the same name on every host). */
export function holdFileName(pid: number): string {
  return `backup-hold-${pid}-${randomBytes(6).toString('hex')}${LOCK_SUFFIX}`;
}

/**
 * A shell command writing `record` as hold `fileName` (written aside, then renamed, so a purge
 * never reads half of it). It always succeeds: a failure is reported on stderr only.
 */
export function writeHoldCommand(record: BackupLockRecord, fileName: string): string {
  const file = `"$d"/${shellQuote(fileName)}`;
  const write = `d=${LOCK_DIR_SHELL} && mkdir -p "$d" && printf '%s\\n' ${shellQuote(JSON.stringify(record))} > ${file}.tmp && mv -f ${file}.tmp ${file}`;
  return `( ${write} ) || echo ${shellQuote(`medusa: could not record the snapshot hold ${fileName}; a purge here may clear the snapshot before this host's turn`)} >&2`;
}

/** A shell command removing hold `fileName` (nothing if it is not there). */
export function removeHoldCommand(fileName: string): string {
  return `rm -f ${LOCK_DIR_SHELL}/${shellQuote(fileName)}`;
}
