/**
 * The backup lock: a small file a backup keeps in medusa's local state folder for its whole run, so
 * that a purge on the same host (both run from cron, possibly at once) knows which `medusa-*`
 * snapshots and which pool objects a running backup still needs (see plan/stale-snapshots.ts).
 *
 * One file per backup process, `backup-<pid>-<random>.lock`, holding a `BackupLockRecord` as JSON;
 * written to a temporary name and renamed, so a reader never sees half a lock. A crashed backup
 * leaves its file behind; readers judge it by its pid and process start time, and a purge removes
 * the files it judged dead (a new backup never reuses a name, so it cannot remove a live one).
 *
 * The folder is beside the hash cache (`$MEDUSA_CACHE_DIR`, else `$XDG_CACHE_HOME/medusa-ts` or
 * `~/.cache/medusa-ts`): backup and purge see each other only when they run with the same one
 * (same user, or the same `MEDUSA_CACHE_DIR`).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { lockIsLive, type BackupLockRecord, type LockView, type ProcessState } from '../plan/stale-snapshots.js';
import { hashCachePath } from './hash-cache-location.js';

/** The name ending of lock files (readers take every file ending so, whoever wrote it). */
export const LOCK_SUFFIX = '.lock';
/** The lock folder's name inside medusa's local state folder. */
export const BACKUP_LOCK_FOLDER = 'backup-locks';

/** The folder of the backup locks for this environment. */
export function backupLockDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(dirname(hashCachePath(env)), BACKUP_LOCK_FOLDER);
}

/**
 * The start time of process `pid` as Linux reports it (field 22 of `/proc/<pid>/stat`, clock ticks
 * since boot), or `undefined` where `/proc` does not tell.
 */
export function processStartOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count after its end.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/** Probes a pid on this host: gone, or running (with its start time where the OS tells it). */
export function probeProcess(pid: number): ProcessState {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return { kind: 'gone' };
  }
  const start = processStartOf(pid);
  return start === undefined ? { kind: 'running' } : { kind: 'running', start };
}

/** A lock held by this process. */
export interface HeldBackupLock {
  readonly path: string;
  /** Removes the lock file; never throws (a lock left behind is judged dead by its pid later). */
  release(): Promise<void>;
}

/** Takes the lock of backup `backupName` of node `fqdn` for this process, in `dir` (created if missing). */
export async function acquireBackupLock(dir: string, fqdn: string, backupName: string): Promise<HeldBackupLock> {
  await mkdir(dir, { recursive: true });
  const start = processStartOf(process.pid);
  const record: BackupLockRecord = { pid: process.pid, ...(start !== undefined ? { processStart: start } : {}), host: hostname(), fqdn, backupName };
  const path = join(dir, `backup-${process.pid}-${randomBytes(6).toString('hex')}${LOCK_SUFFIX}`);
  const temp = `${path}.tmp`;
  await writeFile(temp, `${JSON.stringify(record)}\n`, { mode: 0o644 });
  await rename(temp, path);
  return {
    path,
    release: async () => {
      await unlink(path).catch(() => undefined);
    },
  };
}

function parseRecord(text: string): BackupLockRecord | undefined {
  try {
    const v = JSON.parse(text) as Partial<Record<keyof BackupLockRecord, unknown>>;
    if (!Number.isInteger(v.pid) || typeof v.host !== 'string' || typeof v.fqdn !== 'string' || typeof v.backupName !== 'string') return undefined;
    if (v.processStart !== undefined && typeof v.processStart !== 'string') return undefined;
    if (v.expires !== undefined && typeof v.expires !== 'string') return undefined;
    return {
      pid: v.pid as number,
      host: v.host,
      fqdn: v.fqdn,
      backupName: v.backupName,
      ...(v.processStart !== undefined ? { processStart: v.processStart } : {}),
      ...(v.expires !== undefined ? { expires: v.expires } : {}),
    };
  } catch {
    return undefined;
  }
}

/** What `readBackupLocks` needs besides the folder (tests replace the probe and the host name). */
export interface LockReadOptions {
  readonly thisHost?: string;
  readonly probe?: (pid: number) => ProcessState;
  /** The time expiries are judged at (ms since the epoch); default now. */
  readonly now?: number;
}

/**
 * Every lock in `dir` with its liveness (an empty list when the folder does not exist). A file that
 * disappears while being read was released and is skipped; one that cannot be parsed is reported
 * without a record (and counts as live).
 */
export function readBackupLocks(dir: string, options: LockReadOptions = {}): Promise<LockView[]> {
  return readPidFiles(dir, LOCK_SUFFIX, parseRecord, options);
}

/**
 * The files of `dir` whose names end with `suffix`, each parsed by `parse` and judged live or not
 * by `lockIsLive` (the semantics of `readBackupLocks`, shared with the purge's cleanup markers).
 */
export function readPidFiles<R extends Pick<BackupLockRecord, 'pid' | 'processStart' | 'host' | 'expires'>>(
  dir: string, suffix: string, parse: (text: string) => R | undefined, options: LockReadOptions = {},
): Promise<Array<PidFileView<R>>> {
  // A promise (failures reject, never throw), read on this thread: a few files of a hundred bytes in
  // a local folder, read on every BackupStatus of the agent, where thread-pool hops cost more than the reads.
  return new Promise((resolve) => resolve(readPidFilesNow(dir, suffix, parse, options)));
}

/** A pid file with its record (none when it cannot be parsed) and whether it counts as live. */
export interface PidFileView<R> {
  readonly file: string;
  readonly record?: R;
  readonly live: boolean;
}

function readPidFilesNow<R extends Pick<BackupLockRecord, 'pid' | 'processStart' | 'host' | 'expires'>>(
  dir: string, suffix: string, parse: (text: string) => R | undefined, options: LockReadOptions,
): Array<PidFileView<R>> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const thisHost = options.thisHost ?? hostname();
  const probe = options.probe ?? probeProcess;
  const now = options.now ?? Date.now();
  const views: Array<PidFileView<R>> = [];
  for (const name of names.filter((n) => n.endsWith(suffix)).sort()) {
    const file = join(dir, name);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      views.push({ file, live: true });
      continue;
    }
    const record = parse(text);
    views.push(record ? { file, record, live: lockIsLive(record, thisHost, probe, now) } : { file, live: true });
  }
  return views;
}

/** Removes the lock files judged dead (left by crashed backups); returns how many went. */
export async function removeDeadLocks(views: readonly LockView[]): Promise<number> {
  let removed = 0;
  for (const v of views) {
    if (v.live || !v.record) continue;
    await unlink(v.file).then(
      () => removed++,
      () => undefined,
    );
  }
  return removed;
}
