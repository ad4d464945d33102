/**
 * Pure: which `medusa-*` snapshots a purge may clear, and whether it may clean the node's pool of
 * orphans, given the backup locks found on this host (design §3 "crash safety"). No I/O: callers
 * read the lock files, probe the processes and list the snapshots.
 *
 * A backup holds a lock file (pid, process start time, host, fqdn, backup name) for its whole run,
 * taken before its snapshot exists and released after the snapshot is cleared. So a `medusa-<name>`
 * snapshot whose backup holds no live lock was left behind: by a crash, a kill, a failed
 * `clearsnapshot` or `--keep-snapshot`. Only the first three are stale: a backup of this node
 * that finished (the bucket has its manifest) left its snapshot on purpose (`--keep-snapshot`, an
 * operator's local restore point), so it stays. Every doubt counts as live: a lock that cannot be
 * read, or one taken on another host (its process cannot be probed from here), protects.
 */

/** The prefix of the snapshots a backup takes (`SNAPSHOT_PREFIX` of ops/backup-node.ts). */
export const MEDUSA_SNAPSHOT_PREFIX = 'medusa-';

/** What a backup lock file records. */
export interface BackupLockRecord {
  readonly pid: number;
  /**
   * The process's start time as the OS reports it (Linux: field 22 of `/proc/<pid>/stat`), so that
   * a pid reused by another process does not keep a dead backup's lock alive; absent when unknown.
   */
  readonly processStart?: string;
  /** `os.hostname()` of the host that took the lock. */
  readonly host: string;
  readonly fqdn: string;
  readonly backupName: string;
  /**
   * When the record stops protecting anything (ISO 8601), whatever its process: set on the holds
   * backup-cluster leaves on hosts waiting their turn (ops/snapshot-hold.ts), whose process runs
   * elsewhere and so can never be seen to end from the host.
   */
  readonly expires?: string;
}

/** What a process probe reports about a pid on this host. */
export type ProcessState =
  /** No such process. */
  | { readonly kind: 'gone' }
  /** Running; `start` as in `BackupLockRecord.processStart` when the OS tells it. */
  | { readonly kind: 'running'; readonly start?: string };

/**
 * Whether `lock` belongs to a process (a backup, or a purge's orphan cleanup) that may still be
 * running. Live unless it has expired (`expires` at or before `now`, ms since the epoch; an expiry
 * that cannot be read does not expire), or its process is known to be gone from this host: the pid
 * is not running, or it is running with another start time (reused). A lock of another host is
 * live until it expires (nothing here can tell otherwise).
 */
export function lockIsLive(lock: Pick<BackupLockRecord, 'pid' | 'processStart' | 'host' | 'expires'>, thisHost: string, probe: (pid: number) => ProcessState, now: number): boolean {
  if (lock.expires !== undefined && Date.parse(lock.expires) <= now) return false;
  if (lock.host !== thisHost) return true;
  const state = probe(lock.pid);
  if (state.kind === 'gone') return false;
  return lock.processStart === undefined || state.start === undefined || state.start === lock.processStart;
}

/**
 * One lock file as the purge sees it: `record` undefined when the file could not be read or parsed
 * (then it protects everything, see the module comment).
 */
export interface LockView {
  readonly file: string;
  readonly record?: BackupLockRecord;
  readonly live: boolean;
}

/** A snapshot a purge leaves in place, and why. */
export interface SparedSnapshot {
  readonly tag: string;
  readonly reason: string;
}

/** What to do with the node's snapshots. */
export interface SnapshotDecision {
  /** `medusa-*` snapshots no running backup holds and no finished backup kept, in the order listed. */
  readonly clear: readonly string[];
  /** `medusa-*` snapshots a live (or unreadable) lock protects, or a finished backup kept. */
  readonly spared: readonly SparedSnapshot[];
}

function describeHolder(v: LockView): string {
  return v.record ? `backup ${v.record.backupName} of ${v.record.fqdn} is running (pid ${v.record.pid} on ${v.record.host}, lock ${v.file})` : `lock file ${v.file} cannot be read`;
}

/**
 * Splits the snapshot tags of the node into those to clear and those to spare. Only tags starting
 * with `medusa-` are considered (other snapshots are the operator's); `medusa-<name>` is spared
 * when backup `<name>` of this node is in `finished` (kept on purpose), when a live lock names
 * backup `<name>`, or when some lock cannot be read. Duplicate tags count once.
 */
export function decideSnapshots(tags: Iterable<string>, locks: readonly LockView[], finished: ReadonlySet<string> = new Set()): SnapshotDecision {
  const live = locks.filter((l) => l.live);
  const unreadable = live.find((l) => l.record === undefined);
  const clear: string[] = [];
  const spared: SparedSnapshot[] = [];
  for (const tag of new Set(tags)) {
    if (!tag.startsWith(MEDUSA_SNAPSHOT_PREFIX)) continue;
    const name = tag.slice(MEDUSA_SNAPSHOT_PREFIX.length);
    if (finished.has(name)) {
      spared.push({ tag, reason: `backup ${name} of this node finished and kept its snapshot (--keep-snapshot); clear it with nodetool clearsnapshot -t ${tag}` });
      continue;
    }
    const holder = live.find((l) => l.record?.backupName === name) ?? unreadable;
    if (holder) spared.push({ tag, reason: describeHolder(holder) });
    else clear.push(tag);
  }
  return { clear, spared };
}

/**
 * Why the orphan cleanup of node `fqdn`'s pool must not run now, or `undefined` when it may: a
 * running backup of that node (or an unreadable lock) may be uploading or reusing pool objects
 * that no kept manifest names yet.
 */
export function orphanCleanupBlocker(fqdn: string, locks: readonly LockView[]): string | undefined {
  const holder = locks.find((l) => l.live && (l.record === undefined || l.record.fqdn === fqdn));
  return holder ? `${describeHolder(holder)}; its files may not be in a manifest yet` : undefined;
}
