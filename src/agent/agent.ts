/**
 * The agent as one start/stop pair: what `medusa grpc-server` runs, and what a Kubernetes
 * entrypoint calls (issue 16). `startAgent` opens a session (configuration, storage), listens on
 * `[grpc] port` (TLS per `[grpc]`) and, when `[monitoring] prometheus_http_port` is set, serves
 * Prometheus `/metrics` there, then cleans up in the background after backups a dead process
 * left on this host (their snapshots cleared, their locks removed: they block nothing). That
 * clean-up needs Cassandra (nodetool), which may still be starting beside the agent, so serving
 * never waits for it. `stop` ends the agent cleanly: no new calls, the
 * running backup aborted (its snapshot cleared, its lock released, never reported complete),
 * calls in flight given the grace time, the `/metrics` endpoint and the storage closed.
 *
 * Signals are not handled here (see serve.ts): a caller embedding the agent decides.
 */
import { DEFAULT_CONFIG_PATH } from '../config/index.js';
import type { GrpcSection, MonitoringSection } from '../config/types.js';
import { clearCrashedBackups } from '../ops/api/backup-state.js';
import { serveMetricsEndpoint, type MetricsEndpoint } from '../ops/api/metrics-endpoint.js';
import type { Session, SessionSource } from '../ops/api/session.js';
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
  /** Configuration file, the face's overrides and the environment (ops/api/session.ts). */
  readonly source: SessionSource;
  readonly log: Logger;
  readonly clock?: Clock;
  /** Listen here instead of `[grpc] port` (0 = a free port). */
  readonly port?: number;
  /** Bind this address instead of every interface. */
  readonly host?: string;
  /** Where PrepareRestore writes its mappings; default Medusa's `/var/lib/cassandra/.restore_mapping`. */
  readonly restoreMappingDir?: string;
}

/** A running agent. */
export interface RunningAgent {
  readonly port: number;
  /** Whether TLS (mutual) is on. */
  readonly tls: boolean;
  /** The port of the `/metrics` endpoint; undefined when `[monitoring] prometheus_http_port` is unset. */
  readonly metricsPort: number | undefined;
  /**
   * Stops: refuses new calls, aborts the running backup, waits up to `graceMs` for it and for
   * calls in flight, closes the storage. Resolves when done; calling it again returns the same.
   */
  stop(graceMs: number): Promise<void>;
}

/** Medusa's folder for PrepareRestore's mappings (the pod's Cassandra data volume). */
export const DEFAULT_RESTORE_MAPPING_DIR = '/var/lib/cassandra/.restore_mapping';

/** Starts the agent; rejects (a `ConfigError` naming the key, or the bind error) when it cannot serve. */
export async function startAgent(o: AgentOptions): Promise<RunningAgent> {
  const clock = o.clock ?? systemClock;
  const served: { grpc?: GrpcSection; metrics?: string } = {};
  const metricsKeys = (m: MonitoringSection): string => JSON.stringify([m.prometheus_http_port, m.prometheus_http_host, m.prometheus_textfile]);
  const configs = new ConfigSource({
    source: o.source,
    session: { log: o.log, clock },
    log: o.log,
    onOpened: (session: Session) => {
      // The listener is not rebuilt: port and TLS changes need a restart.
      if (served.grpc && JSON.stringify(session.config.grpc) !== JSON.stringify(served.grpc)) o.log.warning('[grpc] settings changed: they take effect when the agent is restarted');
      if (served.metrics !== undefined && metricsKeys(session.config.monitoring) !== served.metrics) o.log.warning('[monitoring] prometheus_http_port, prometheus_http_host or prometheus_textfile changed: /metrics follows when the agent is restarted');
    },
  });
  const configFile = o.source.configFile ?? DEFAULT_CONFIG_PATH;
  const { grpc, monitoring } = await configs.with(({ session }) => Promise.resolve(session.config));
  served.grpc = grpc;
  served.metrics = metricsKeys(monitoring);
  const tlsFiles = await readTlsFiles(grpc, configFile);
  const runs = new BackupRuns();
  const ctx: AgentContext = { configs, runs, clock, log: o.log, restoreMappingDir: o.restoreMappingDir ?? DEFAULT_RESTORE_MAPPING_DIR };
  const metrics: MetricsEndpoint | undefined = await serveMetricsEndpoint(monitoring, o.log).catch((err: unknown) => {
    configs.close();
    throw err;
  });
  const server = await startAgentServer({
    port: o.port ?? grpc.port,
    ...(o.host !== undefined ? { host: o.host } : {}),
    maxSendMessageLength: grpc.max_send_message_length,
    maxReceiveMessageLength: grpc.max_receive_message_length,
    credentials: serverCredentialsFor(tlsFiles, configFile),
    handlers: medusaHandlers(ctx),
    log: o.log,
    errorPrefixes: ERROR_PREFIXES,
  }).catch(async (err: unknown) => {
    await metrics?.close();
    configs.close();
    throw err;
  });
  o.log.info(`Medusa gRPC agent listening on port ${server.port}${tlsFiles ? ' (mutual TLS)' : ''}`);
  if (metrics) o.log.info(`Prometheus metrics at http://${monitoring.prometheus_http_host}:${metrics.port}/metrics`);
  // Never rejects: clearCrashedBackups logs what it cannot do; a configuration error shows at the next request.
  const cleanup = configs.with(({ session }) => clearCrashedBackups(session)).catch((err: unknown) => o.log.warning(`Cleaning up after crashed backups: ${describeError(err)}`));
  let stopped: Promise<void> | undefined;
  return {
    port: server.port,
    tls: tlsFiles !== undefined,
    metricsPort: metrics?.port,
    stop(graceMs: number): Promise<void> {
      stopped ??= (async () => {
        o.log.info('Stopping the gRPC agent');
        const backup = runs.abort('the agent is stopping').catch((err: unknown) => o.log.warning(`Stopping the running backup: ${describeError(err)}`));
        const stopWaiting = new AbortController();
        const late = clock.sleep(graceMs, stopWaiting.signal).then(() => {
          if (!stopWaiting.signal.aborted) o.log.warning(`The running backup did not stop within ${graceMs / 1000} s`);
        });
        await Promise.all([server.stop(graceMs), Promise.race([Promise.all([backup, cleanup]), late])]);
        stopWaiting.abort();
        // After the backup ended: its last metrics are in the file until the very end.
        await metrics?.close().catch((err: unknown) => o.log.warning(`Closing the /metrics endpoint: ${describeError(err)}`));
        configs.close();
      })();
      return stopped;
    },
  };
}
