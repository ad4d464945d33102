/**
 * Entry point of a node backup (`medusa backup` / `backup-node`, the agent's Backup and
 * AsyncBackup): builds from the session what ops/backup-node.ts runs with (the snapshot route
 * (nodetool, or in Kubernetes mode the Management API or Jolokia) and the CQL metadata of the local node, the hash cache, the metrics sink,
 * the backup lock, a lowered process priority), runs it, and releases all of it in every path.
 */
import { readCassandraYaml } from '../../cassandra/cassandra-yaml.js';
import { cqlMetadata, localSnapshots } from '../../cassandra/local-node.js';
import { createMetricsSink } from '../../monitoring/create.js';
import { HashCache } from '../../transfer/hash-cache.js';
import { describeError, UsageError } from '../../util/errors.js';
import { acquireBackupLock, backupLockDir } from '../backup-lock.js';
import { backupNode, type BackupNodeResult } from '../backup-node.js';
import { hashCachePath } from '../hash-cache-location.js';
import { lowerOwnPriority } from '../lower-priority.js';
import { waitForOrphanCleanups } from '../orphan-cleanup-marker.js';
import type { RunOptions, Session } from './session.js';

export type { BackupNodeResult } from '../backup-node.js';
export type { BackupSummary } from '../backup-summary.js';

/** What a face asks of a node backup. */
export interface BackupRequest {
  /** Default: Medusa's default name for `startedAt` ({@link defaultBackupName}). */
  readonly backupName?: string;
  readonly mode: 'full' | 'differential';
  /** Seconds to wait for the node before this one in the ring (`--stagger`). */
  readonly stagger?: number;
  /** `--enable-md5-checks`; `[checks] enable_md5_checks` turns the checks on as well. */
  readonly enableMd5Checks: boolean;
  readonly keepSnapshot: boolean;
  /** Back up the existing snapshot named `backupName` (required then) instead of taking one. */
  readonly useExistingSnapshot: boolean;
  /** Epoch ms the request arrived (stagger deadline, summary, default name); default now. */
  readonly startedAt?: number;
}

/** Medusa's default backup name: local time `%Y%m%d%H%M`. */
export function defaultBackupName(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}`;
}

/**
 * Backs up this node (`[storage] fqdn`). Resolves with the summary once the backup is complete;
 * rejects with a `MedusaError` otherwise, the snapshot cleared (unless kept) and nothing reported
 * complete. `run.signal` stops it that way too (`OperationAbortedError`), unless its manifest was
 * already stored; the lock is released and the hash cache saved in every path.
 */
export async function runBackup(session: Session, request: BackupRequest, run: RunOptions = {}): Promise<BackupNodeResult> {
  const { config, log, clock } = session;
  const startedAt = request.startedAt ?? clock.now();
  if (request.useExistingSnapshot && !request.backupName) throw new UsageError('--use-existing-snapshot requires --backup-name');
  const yaml = await readCassandraYaml(config.cassandra.config_file);
  const checkHashes = request.enableMd5Checks || config.checks.enable_md5_checks;
  // Always: a differential compares every same-name same-size file by hash (plan/backup-plan.ts),
  // and the cache keeps that to one stat per unchanged file.
  const hashCache = await HashCache.load({ persistPath: hashCachePath(session.env) });
  const metrics = createMetricsSink(config.monitoring, log);
  lowerOwnPriority(log);
  const backupName = request.backupName ?? defaultBackupName(startedAt);
  // Held for the whole run, snapshot included: a purge on this host leaves this backup's
  // snapshot and the node's pool alone while it is here (ops/backup-lock.ts).
  const lockDir = backupLockDir(session.env);
  const lock = await acquireBackupLock(lockDir, config.storage.fqdn, backupName).catch((err: unknown) => {
    log.warning(`Cannot take the backup lock in ${lockDir} (${describeError(err)}): a purge on this host may clear this backup's snapshot meanwhile`);
    return undefined;
  });
  try {
    return await backupNode(
      {
        storage: session.storage,
        layout: session.layout,
        log,
        fqdn: config.storage.fqdn,
        clock,
        snapshots: localSnapshots(config, yaml, log),
        metadata: cqlMetadata(config, yaml, { clock, log, ...(run.signal ? { signal: run.signal } : {}) }),
        concurrentTransfers: config.storage.concurrent_transfers,
        md5CheckConcurrency: config.checks.md5_check_concurrency,
        multipartChunksize: config.storage.multipart_chunksize,
        metrics,
        commandStart: startedAt,
        // The other half of the lock: a purge already deleting orphans of this node finishes first.
        beforePoolListing: () => waitForOrphanCleanups(lockDir, config.storage.fqdn, { log, clock, ...(run.signal ? { signal: run.signal } : {}) }),
        hashCache,
        ...(run.progress ? { progress: run.progress } : {}),
        ...(run.signal ? { signal: run.signal } : {}),
      },
      {
        backupName,
        mode: request.mode,
        ...(request.stagger !== undefined ? { stagger: request.stagger } : {}),
        checkHashes,
        keepSnapshot: request.keepSnapshot,
        useExistingSnapshot: request.useExistingSnapshot,
      },
    );
  } finally {
    await lock?.release();
    await metrics.close();
    await hashCache.save({ dropUnused: true }).catch((err: unknown) => log.warning(`Cannot save the hash cache (${describeError(err)})`));
  }
}
