/**
 * Entry point of the agent's HTTP `/metrics` endpoint (`[monitoring] prometheus_http_port`): the
 * Prometheus textfile served as it is at each scrape (monitoring/prometheus-http.ts), for a
 * long-running process that Prometheus scrapes directly.
 *
 * Callers may rely on: nothing is served (undefined) when the port is unset; otherwise the promise
 * resolves once the port listens, or rejects with the bind error (port in use, bad host).
 */
import type { MonitoringSection } from '../../config/types.js';
import { serveMetrics, type MetricsEndpoint } from '../../monitoring/prometheus-http.js';
import { describeError } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';

export type { MetricsEndpoint } from '../../monitoring/prometheus-http.js';

/** Serves `/metrics` per `[monitoring]`; undefined when `prometheus_http_port` is unset. */
export async function serveMetricsEndpoint(monitoring: MonitoringSection, log: Logger): Promise<MetricsEndpoint | undefined> {
  if (monitoring.prometheus_http_port === undefined) return undefined;
  // The endpoint serves the file whoever wrote it (CLI runs on the host too), so it is served
  // anyway; but without the prometheus provider this process adds nothing to it.
  if (monitoring.monitoring_provider !== 'prometheus') {
    log.warning(`[monitoring] prometheus_http_port is set but monitoring_provider is ${monitoring.monitoring_provider}: /metrics serves ${monitoring.prometheus_textfile} without this agent's backups`);
  }
  const { prometheus_http_port: port, prometheus_http_host: host } = monitoring;
  const endpoint = await serveMetrics({ textfile: monitoring.prometheus_textfile, port, host }).catch((err: unknown) => {
    throw new Error(`Cannot serve /metrics on ${host}:${port} ([monitoring] prometheus_http_port): ${describeError(err)}`, { cause: err });
  });
  return endpoint;
}
