/**
 * Entry point of `medusa backup-cluster`: builds from the session what ops/backup-cluster.ts runs
 * with (the SSH executor of `[ssh]`, the seed's topology over CQL, nodetool as configured here,
 * the medusa command run on each host with the global options worth forwarding, the metrics
 * sink), runs it, and closes the executor and the sink in every path.
 */
import { createMetricsSink } from '../../monitoring/create.js';
import { SshExecutor } from '../../remote/ssh-executor.js';
import { backupCluster, type BackupClusterOptions, type BackupClusterResult } from '../backup-cluster.js';
import { readSeedTopology } from '../cluster-cql.js';
import { forwardedGlobals, remoteMedusaCommand } from '../cluster-job.js';
import { defaultBackupName } from './backup.js';
import type { RunOptions, Session } from './session.js';

export type { BackupClusterOptions, BackupClusterResult } from '../backup-cluster.js';

/** What a face asks of a cluster backup: the operation's options, with defaults the session knows. */
export interface BackupClusterRequest extends Omit<BackupClusterOptions, 'backupName'> {
  /** Default: Medusa's default name for `startedAt`. */
  readonly backupName?: string;
  /** The seed whose datacenter is backed up; default `[storage] fqdn`. */
  readonly seedTarget?: string;
  /** The medusa command on the hosts; default `$MEDUSA_REMOTE_COMMAND` of the session's env, else `medusa`. */
  readonly medusaCommand?: string;
  /** The medusa.ini the hosts read; default the session's config file when one was named. */
  readonly remoteConfigFile?: string;
  /** Epoch ms the request arrived (default name); default now. */
  readonly startedAt?: number;
}

/** The session's global options a host's medusa is given too (config file, bucket, prefix). */
export function forwardedSessionGlobals(session: Session, remoteConfigFile?: string): string[] {
  const { source } = session;
  return forwardedGlobals(
    {
      ...(source.configFile !== undefined ? { configFile: source.configFile } : {}),
      ...(source.overrides?.bucket_name !== undefined ? { bucketName: source.overrides.bucket_name } : {}),
      ...(source.overrides?.prefix !== undefined ? { prefix: source.overrides.prefix } : {}),
    },
    remoteConfigFile,
  );
}

/**
 * Backs up every node of the seed's datacenter over SSH; rejects naming the failed hosts.
 * `run.signal` stops it before the snapshots or before the uploads (snapshots then cleared).
 */
export async function runBackupCluster(session: Session, request: BackupClusterRequest, run: RunOptions = {}): Promise<BackupClusterResult> {
  const { config, log, clock } = session;
  const { backupName, seedTarget, medusaCommand, remoteConfigFile, startedAt, ...options } = request;
  const executor = new SshExecutor({ ssh: config.ssh, useSudo: config.cassandra.use_sudo });
  const metrics = createMetricsSink(config.monitoring, log);
  const seed = seedTarget ?? config.storage.fqdn;
  try {
    return await backupCluster(
      {
        storage: session.storage,
        layout: session.layout,
        log,
        executor,
        readTopology: () => readSeedTopology(config, seed, { clock, log }),
        nodetool: config.cassandra,
        medusa: { command: remoteMedusaCommand(medusaCommand, session.env), globals: forwardedSessionGlobals(session, remoteConfigFile) },
        metrics,
        clock,
        fqdn: config.storage.fqdn,
        ...(run.signal ? { signal: run.signal } : {}),
        ...(run.progress ? { progress: run.progress } : {}),
      },
      { ...options, backupName: backupName ?? defaultBackupName(startedAt ?? clock.now()) },
    );
  } finally {
    await executor.close();
    await metrics.close();
  }
}
