/** Builds the metrics sink `[monitoring] monitoring_provider` names. */
import type { MonitoringSection } from '../config/types.js';
import type { Logger } from '../util/logger.js';
import { createLocalFileSink } from './local-file.js';
import { createPrometheusSink } from './prometheus.js';
import { createStatsdSink } from './statsd.js';
import type { MetricsSink } from './types.js';

const noopSink: MetricsSink = { send: () => Promise.resolve(), close: () => Promise.resolve() };

/** The sink for `section`; logs which provider is used, as Medusa does. */
export function createMetricsSink(section: MonitoringSection, log: Logger): MetricsSink {
  switch (section.monitoring_provider) {
    case 'local':
      log.info('Monitoring provider is local');
      return createLocalFileSink();
    case 'dog-statsd':
      log.info('Monitoring provider is dog-statsd');
      return createStatsdSink({ sendBackupNameTag: section.send_backup_name_tag });
    case 'prometheus':
      log.info('Monitoring provider is prometheus');
      return createPrometheusSink({ textfile: section.prometheus_textfile, log });
    default:
      log.info('Monitoring provider is noop');
      return noopSink;
  }
}
