/**
 * The other half of the purge/backup handshake on one host: while a purge deletes orphans of node
 * F's differential pool, it keeps a marker file beside the backup locks, and a differential backup
 * of F waits for such markers to go before it lists the pool (the objects it would reuse).
 *
 * Both sides write their own file first and look for the other's afterwards: the purge writes its
 * marker, then reads the backup locks (any live backup of F: no orphan cleanup); the backup holds
 * its lock from its start, then reads the markers before listing the pool. Whichever looks second
 * sees the other, so a backup never reuses a pool object the purge is deleting.
 *
 * Files: `purge-<pid>-<random>.purging` holding `{ pid, processStart, host, fqdn }` as JSON.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { BackupLockRecord, ProcessState } from '../plan/stale-snapshots.js';
import type { Clock } from '../util/clock.js';
import { OperationError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { processStartOf, readPidFiles, type HeldBackupLock } from './backup-lock.js';

const MARKER_SUFFIX = '.purging';

/** What a marker records. */
export type OrphanCleanupRecord = Pick<BackupLockRecord, 'pid' | 'processStart' | 'host' | 'fqdn'>;

/** One marker as read: `record` undefined when unreadable (it then counts as live). */
export interface MarkerView {
  readonly file: string;
  readonly record?: OrphanCleanupRecord;
  readonly live: boolean;
}

/** Writes this process's marker for node `fqdn` in `dir` (created if missing). */
export async function holdOrphanCleanupMarker(dir: string, fqdn: string): Promise<HeldBackupLock> {
  await mkdir(dir, { recursive: true });
  const start = processStartOf(process.pid);
  const record: OrphanCleanupRecord = { pid: process.pid, ...(start !== undefined ? { processStart: start } : {}), host: hostname(), fqdn };
  const path = join(dir, `purge-${process.pid}-${randomBytes(6).toString('hex')}${MARKER_SUFFIX}`);
  await writeFile(`${path}.tmp`, `${JSON.stringify(record)}\n`, { mode: 0o644 });
  await rename(`${path}.tmp`, path);
  return { path, release: () => unlink(path).catch(() => undefined) };
}

function parseMarker(text: string): OrphanCleanupRecord | undefined {
  try {
    const v = JSON.parse(text) as Partial<Record<keyof OrphanCleanupRecord, unknown>>;
    if (!Number.isInteger(v.pid) || typeof v.host !== 'string' || typeof v.fqdn !== 'string') return undefined;
    if (v.processStart !== undefined && typeof v.processStart !== 'string') return undefined;
    return { pid: v.pid as number, host: v.host, fqdn: v.fqdn, ...(v.processStart !== undefined ? { processStart: v.processStart } : {}) };
  } catch {
    return undefined;
  }
}

/** Every marker in `dir` with its liveness (none when the folder does not exist; see `readPidFiles`). */
export function readOrphanCleanupMarkers(
  dir: string,
  options: { readonly thisHost?: string; readonly probe?: (pid: number) => ProcessState } = {},
): Promise<MarkerView[]> {
  return readPidFiles(dir, MARKER_SUFFIX, parseMarker, options);
}

/** How `waitForOrphanCleanups` waits. */
export interface MarkerWaitOptions {
  readonly log: Logger;
  readonly clock: Clock;
  /** Give up (an `OperationError`) after this long; default 30 minutes. */
  readonly timeoutMs?: number;
  /** Between looks; default 1 s. */
  readonly pollMs?: number;
  readonly thisHost?: string;
  readonly probe?: (pid: number) => ProcessState;
  /** Ends the wait at once, rejecting with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * Resolves once no live marker for node `fqdn` (nor an unreadable one) is in `dir`; logs once what
 * it waits for. Rejects with an `OperationError` after `timeoutMs`: a backup that went on would
 * risk reusing pool objects being deleted.
 */
export async function waitForOrphanCleanups(dir: string, fqdn: string, options: MarkerWaitOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const deadline = options.clock.now() + timeoutMs;
  let announced = false;
  for (;;) {
    options.signal?.throwIfAborted();
    const views = await readOrphanCleanupMarkers(dir, options);
    const blocking = views.find((v) => v.live && (v.record === undefined || v.record.fqdn === fqdn));
    if (!blocking) return;
    const what = blocking.record ? `a purge (pid ${blocking.record.pid}) is deleting orphaned files of ${fqdn}` : `marker ${blocking.file} cannot be read`;
    if (options.clock.now() >= deadline) {
      throw new OperationError(`Not listing the stored files of ${fqdn} after waiting ${Math.round(timeoutMs / 1000)} s: ${what} (marker ${blocking.file})`);
    }
    if (!announced) options.log.info(`Waiting before listing the stored files of ${fqdn}: ${what}`);
    announced = true;
    await options.clock.sleep(options.pollMs ?? 1000, options.signal);
  }
}
