/**
 * What this host knows about its node's backups beyond the bucket (the agent's BackupStatus and
 * AsyncBackup, design §5): which backups a process on this host is running now, and which were
 * left by a process that died (its backup lock is there, its process is gone: pid and process
 * start time are in the lock, so a reused pid does not count).
 *
 * Backup-cluster's snapshot holds (locks with an expiry, taken for a host waiting its turn) are
 * not running backups and are ignored here.
 */
import { metaKey } from '../../layout/keys.js';
import { Nodetool } from '../../cassandra/nodetool.js';
import { describeError } from '../../util/errors.js';
import { backupLockDir, readBackupLocks, removeDeadLocks } from '../backup-lock.js';
import { SNAPSHOT_PREFIX } from '../backup-node.js';
import type { Session } from './session.js';

/** A backup some process of this host runs (or ran), by its lock. */
export interface HostBackup {
  readonly backupName: string;
  readonly fqdn: string;
  readonly pid: number;
}

/** The backups of node `[storage] fqdn` that live processes of this host are running. */
export async function runningBackupsHere(session: Session): Promise<HostBackup[]> {
  const fqdn = session.config.storage.fqdn;
  const views = await readBackupLocks(backupLockDir(session.env));
  return views
    .filter((v) => v.live && v.record && v.record.expires === undefined && v.record.fqdn === fqdn)
    .map((v) => ({ backupName: v.record!.backupName, fqdn, pid: v.record!.pid }));
}

/** Where this node's backup `backupName` stands in the bucket and on this host. */
export interface NodeBackupState {
  /** Epoch ms its `meta/schema.cql` was stored: undefined = no such backup of this node (yet). */
  readonly started?: number;
  /** Epoch ms its `meta/manifest.json` was stored: undefined = not complete. */
  readonly finished?: number;
  /** A live process of this host is running it. */
  readonly runningHere: boolean;
}

/** See {@link NodeBackupState}. Reads two object infos and this host's locks; changes nothing. */
export async function nodeBackupState(session: Session, backupName: string): Promise<NodeBackupState> {
  const fqdn = session.config.storage.fqdn;
  const [schema, manifest] = await Promise.all([
    session.storage.stat(metaKey(session.layout, fqdn, backupName, 'schema.cql')),
    session.storage.stat(metaKey(session.layout, fqdn, backupName, 'manifest.json')),
  ]);
  const runningHere = schema !== undefined && (await runningBackupsHere(session)).some((b) => b.backupName === backupName);
  return {
    ...(schema ? { started: schema.lastModified.getTime() } : {}),
    ...(manifest ? { finished: manifest.lastModified.getTime() } : {}),
    runningHere,
  };
}

/**
 * Cleans up after backups of this node whose process died on this host (a killed agent, a crashed
 * CLI run): clears their `medusa-<name>` snapshots and removes their locks, so they never block or
 * hold disk space. Their node backups stay in the bucket, unfinished: BackupStatus reports them
 * FAILED. Returns the backups cleaned up. Never throws: what cannot be done is logged.
 */
export async function clearCrashedBackups(session: Session): Promise<HostBackup[]> {
  const { config, log } = session;
  const fqdn = config.storage.fqdn;
  let views;
  try {
    views = await readBackupLocks(backupLockDir(session.env));
  } catch (err) {
    log.warning(`Cannot read the backup locks of this host: ${describeError(err)}`);
    return [];
  }
  const dead = views.filter((v) => !v.live && v.record && v.record.expires === undefined && v.record.fqdn === fqdn);
  if (dead.length === 0) return [];
  // The node's snapshot route, as ops/api/purge.ts builds it.
  const nodetool = new Nodetool(config.cassandra, { log });
  const cleaned: HostBackup[] = [];
  for (const v of dead) {
    const { backupName, pid } = v.record!;
    const tag = `${SNAPSHOT_PREFIX}${backupName}`;
    log.warning(`Backup ${backupName} of ${fqdn} was left unfinished by process ${pid}, which is gone: it is FAILED; clearing its snapshot ${tag}`);
    try {
      await nodetool.clearSnapshot(tag);
    } catch (err) {
      log.warning(`Cannot clear snapshot ${tag} (${describeError(err)}): the next purge on this host clears it`);
    }
    cleaned.push({ backupName, fqdn, pid });
  }
  await removeDeadLocks(dead);
  return cleaned;
}
