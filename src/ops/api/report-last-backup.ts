/**
 * Entry point of `medusa report-last-backup`: how long ago this node's and the cluster's latest
 * backups finished, logged, and with `pushMetrics` sent to the metrics sink of `[monitoring]`.
 */
import { createMetricsSink } from '../../monitoring/create.js';
import { reportLastBackup, type LastBackupReport } from '../report-last-backup.js';
import type { RunOptions, Session } from './session.js';

export type { LastBackupReport } from '../report-last-backup.js';

/** What a face asks of the report. */
export interface ReportLastBackupRequest {
  /** Also send the figures to the monitoring provider. */
  readonly pushMetrics: boolean;
}

/** Runs the report (three attempts); returns what it found. */
export async function runReportLastBackup(session: Session, request: ReportLastBackupRequest, run: RunOptions = {}): Promise<LastBackupReport> {
  const { config, log } = session;
  const metrics = createMetricsSink(config.monitoring, log);
  try {
    return await reportLastBackup(
      { storage: session.storage, layout: session.layout, log, fqdn: config.storage.fqdn, clock: session.clock, metrics, ...(run.signal ? { signal: run.signal } : {}) },
      request.pushMetrics,
    );
  } finally {
    await metrics.close();
  }
}
