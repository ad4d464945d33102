/**
 * The agent as one start/stop pair: what `medusa grpc-server` runs, and what a Kubernetes
 * entrypoint calls (issue 16). `startAgent` loads the configuration, opens the storage, and
 * listens on `[grpc] port` (TLS per `[grpc]`); `stop` ends it cleanly: no new calls, the running
 * backup aborted (its snapshot cleared, its lock released, never reported complete), calls in
 * flight given the grace time, the storage closed.
 *
 * Signals are not handled here (see serve.ts): a caller embedding the agent decides.
 */
import type { LoadedConfig, LoadOptions } from '../config/index.js';
import type { GrpcSection } from '../config/types.js';
import { DEFAULT_CONFIG_PATH } from '../config/index.js';
import { backupLockDir, readBackupLocks } from '../ops/backup-lock.js';
import { openStorage } from '../storage/open.js';
import { systemClock, type Clock } from '../util/clock.js';
import { describeError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { BackupRuns } from './backup-runs.js';
import { ConfigSource } from './config-source.js';
import type { AgentContext } from './context.js';
import { startAgentServer } from './server.js';
import { ERROR_PREFIXES, medusaHandlers } from './service.js';
import { readTlsFiles, serverCredentialsFor } from './tls.js';

/** How to start the agent. */
export interface AgentOptions {
  /** Configuration file, command-line overrides and environment, as `loadConfig` takes them. */
  readonly load: LoadOptions;
  readonly log: Logger;
  readonly clock?: Clock;
  /** Listen here instead of `[grpc] port` (0 = a free port; tests). */
  readonly port?: number;
  /** Bind this address instead of every interface. */
  readonly host?: string;
  /** Called with every configuration loaded (the first and each change): logging setup, warnings. */
  readonly onConfigLoaded?: (loaded: LoadedConfig) => void;
  /** This host's backup lock folder; default `backupLockDir()`. */
  readonly lockDir?: string;
}

/** A running agent. */
export interface RunningAgent {
  readonly port: number;
  /** Whether TLS (mutual) is on. */
  readonly tls: boolean;
  /**
   * Stops: refuses new calls, aborts the running backup, waits up to `graceMs` for it and for
   * calls in flight, closes the storage. Resolves when done; calling it again returns the same.
   */
  stop(graceMs: number): Promise<void>;
}

/** Starts the agent; rejects (a `ConfigError` naming the key, or the bind error) when it cannot serve. */
export async function startAgent(o: AgentOptions): Promise<RunningAgent> {
  const clock = o.clock ?? systemClock;
  const lockDir = o.lockDir ?? backupLockDir(o.load.env);
  const served: { grpc?: GrpcSection } = {};
  const configs = new ConfigSource({
    load: o.load,
    openStorage: (config) => openStorage(config, { log: o.log }),
    log: o.log,
    onLoaded: (loaded) => {
      o.onConfigLoaded?.(loaded);
      // The listener is not rebuilt: port and TLS changes need a restart.
      if (served.grpc && JSON.stringify(loaded.config.grpc) !== JSON.stringify(served.grpc)) o.log.warning('[grpc] settings changed: they take effect when the agent is restarted');
    },
  });
  const configFile = o.load.configFile ?? DEFAULT_CONFIG_PATH;
  const { grpc } = await configs.with((g) => Promise.resolve(g.config));
  served.grpc = grpc;
  const tlsFiles = await readTlsFiles(grpc, configFile);
  const runs = new BackupRuns();
  const ctx: AgentContext = { configs, runs, readLocks: () => readBackupLocks(lockDir), clock, log: o.log };
  const server = await startAgentServer({
    port: o.port ?? grpc.port,
    ...(o.host !== undefined ? { host: o.host } : {}),
    maxSendMessageLength: grpc.max_send_message_length,
    maxReceiveMessageLength: grpc.max_receive_message_length,
    credentials: serverCredentialsFor(tlsFiles, configFile),
    handlers: medusaHandlers(ctx),
    log: o.log,
    errorPrefixes: ERROR_PREFIXES,
  });
  o.log.info(`Medusa gRPC agent listening on port ${server.port}${tlsFiles ? ' (mutual TLS)' : ''}`);
  let stopped: Promise<void> | undefined;
  return {
    port: server.port,
    tls: tlsFiles !== undefined,
    stop(graceMs: number): Promise<void> {
      stopped ??= (async () => {
        o.log.info('Stopping the gRPC agent');
        const backup = runs.abort('the agent is stopping').catch((err: unknown) => o.log.warning(`Stopping the running backup: ${describeError(err)}`));
        const late = clock.sleep(graceMs).then(() => o.log.warning(`The running backup did not stop within ${graceMs / 1000} s`));
        await Promise.all([server.stop(graceMs), Promise.race([backup, late])]);
        configs.close();
      })();
      return stopped;
    },
  };
}
