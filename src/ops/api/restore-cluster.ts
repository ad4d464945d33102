/**
 * Entry point of `medusa restore-cluster`: builds from the session what ops/restore-cluster.ts runs
 * with (the SSH executor of `[ssh]`, CQL to the target seed and hosts, the local seeds, the
 * host-list reader, the remote medusa command with the forwarded globals, the metrics sink), runs
 * it, and closes the executor and the sink in every path. Questions and the mapping go to the face.
 */
import { readFile } from 'node:fs/promises';
import { createMetricsSink } from '../../monitoring/create.js';
import type { RestoreMapping } from '../../plan/restore-mapping.js';
import { SshExecutor } from '../../remote/ssh-executor.js';
import { UsageError } from '../../util/errors.js';
import { executeStatements, localSeedKeys, readSeedTopology, waitCqlUp } from '../cluster-cql.js';
import { remoteMedusaCommand } from '../cluster-job.js';
import { restoreCluster, type RestoreClusterOptions, type RestoreClusterResult, type RestoreQuestion } from '../restore-cluster.js';
import { forwardedSessionGlobals } from './backup-cluster.js';
import type { RunOptions, Session } from './session.js';

export { RestoreClusterFailedError, type RestoreClusterOptions, type RestoreClusterResult, type RestoreQuestion } from '../restore-cluster.js';
export type { RestoreMapping } from '../../plan/restore-mapping.js';

/** What a face asks of a cluster restore: the operation's options, with defaults the session knows. */
export interface RestoreClusterRequest extends RestoreClusterOptions {
  /** The medusa command on the hosts; default `$MEDUSA_REMOTE_COMMAND` of the session's env, else `medusa`. */
  readonly medusaCommand?: string;
  /** The medusa.ini the hosts read; default the session's config file when one was named. */
  readonly remoteConfigFile?: string;
}

/** How the face takes part in a cluster restore. */
export interface RestoreClusterRun extends RunOptions {
  /** Answers a question; default "no" (a restore never proceeds on silence). */
  readonly confirm?: (question: RestoreQuestion) => Promise<boolean>;
  /** Shown the planned mapping, before any question. */
  readonly onMapping?: (mapping: RestoreMapping) => void;
}

/**
 * Restores the backup onto the cluster; rejects with `RestoreClusterFailedError` when a target was
 * not restored. `run.signal` stops it before any target is touched.
 */
export async function runRestoreCluster(session: Session, request: RestoreClusterRequest, run: RestoreClusterRun = {}): Promise<RestoreClusterResult> {
  const { config, log, clock } = session;
  const { medusaCommand, remoteConfigFile, ...options } = request;
  const executor = new SshExecutor({ ssh: config.ssh, useSudo: config.cassandra.use_sudo });
  const metrics = createMetricsSink(config.monitoring, log);
  const o = { clock, log };
  try {
    return await restoreCluster(
      {
        storage: session.storage,
        layout: session.layout,
        log,
        executor,
        readTopology: (seed) => readSeedTopology(config, seed, o),
        seeds: () => localSeedKeys(config, log),
        executeCql: (host, statements) => executeStatements(config, host, statements, o),
        readHostList: (path) => readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
          throw new UsageError(`cannot read --host-list ${path} (${err.code ?? err.message})`);
        }),
        waitUp: (host, timeoutMs) => waitCqlUp(config, host, timeoutMs, o),
        confirm: run.confirm ?? (() => Promise.resolve(false)),
        ...(run.onMapping ? { onMapping: run.onMapping } : {}),
        stopCmd: config.cassandra.stop_cmd,
        hostFileSeparator: config.storage.host_file_separator,
        medusa: { command: remoteMedusaCommand(medusaCommand, session.env), globals: forwardedSessionGlobals(session, remoteConfigFile) },
        metrics,
        clock,
        fqdn: config.storage.fqdn,
        ...(run.signal ? { signal: run.signal } : {}),
        ...(run.progress ? { progress: run.progress } : {}),
      },
      // Without a host list, the seed target defaults to this node.
      options.hostList !== undefined ? options : { ...options, seedTarget: options.seedTarget ?? config.storage.fqdn },
    );
  } finally {
    await executor.close();
    await metrics.close();
  }
}
