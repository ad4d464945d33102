/**
 * How one {@link MetricEvent} changes the Prometheus samples (families: `prometheus-families.ts`).
 * Pure: the previous samples and the event in, the next samples out. Gauges are set, counters are
 * added to (starting from the previous file's value), and an `_info` series of an earlier name is
 * replaced, so the file holds one name per node and backup type.
 */
import type { BackupMetricEvent, ClusterJobMetricEvent, MetricEvent, PurgeMetricEvent, ReportMetricEvent } from './types.js';
import { sampleKey, type Labels, type Sample, type SampleSet } from './prometheus-text.js';

class Samples {
  readonly map: Map<string, Sample>;

  constructor(previous: SampleSet) {
    this.map = new Map(previous);
  }

  set(family: string, labels: Labels, value: number): void {
    this.map.set(sampleKey(family, labels), { family, labels, value });
  }

  add(family: string, labels: Labels, delta: number): void {
    const previous = this.map.get(sampleKey(family, labels))?.value ?? 0;
    this.set(family, labels, (Number.isFinite(previous) ? previous : 0) + delta);
  }

  /** Removes every sample of `family` whose labels include all of `match`. */
  drop(family: string, match: Labels): void {
    for (const [key, s] of this.map) {
      if (s.family === family && Object.entries(match).every(([k, v]) => s.labels[k] === v)) this.map.delete(key);
    }
  }
}

const seconds = (ms: number): number => Math.floor(ms / 1000);

function applyBackup(s: Samples, e: BackupMetricEvent): void {
  const l = { fqdn: e.fqdn, backup_type: e.mode };
  s.set('medusa_backup_last_start_timestamp_seconds', l, seconds(e.started));
  s.set('medusa_backup_last_finish_timestamp_seconds', l, seconds(e.finished));
  s.set('medusa_backup_last_success', l, e.ok ? 1 : 0);
  s.set('medusa_backup_last_duration_seconds', l, Math.max(0, e.finished - e.started) / 1000);
  s.drop('medusa_backup_last_info', l);
  s.set('medusa_backup_last_info', { ...l, backup_name: e.backupName }, 1);
  s.add('medusa_backup_runs_total', l, 1);
  s.add('medusa_backup_errors_total', l, e.ok ? 0 : 1);
  s.add('medusa_backup_uploaded_bytes_total', l, e.figures?.uploadedBytes ?? 0);
  s.add('medusa_backup_uploaded_files_total', l, e.figures?.uploadedFiles ?? 0);
  if (!e.ok || !e.figures) return;
  const f = e.figures;
  s.set('medusa_backup_last_success_timestamp_seconds', l, seconds(e.finished));
  s.set('medusa_backup_last_uploaded_bytes', l, f.uploadedBytes);
  s.set('medusa_backup_last_uploaded_files', l, f.uploadedFiles);
  s.set('medusa_backup_last_reused_bytes', l, f.reusedBytes);
  s.set('medusa_backup_last_reused_files', l, f.reusedFiles);
  s.set('medusa_backup_last_size_bytes', l, f.totalBytes);
  s.set('medusa_backup_last_files', l, f.totalFiles);
}

function applyPurge(s: Samples, e: PurgeMetricEvent): void {
  const l = { fqdn: e.fqdn, command: e.command };
  s.set('medusa_purge_last_finish_timestamp_seconds', l, seconds(e.finished));
  s.set('medusa_purge_last_success', l, e.ok ? 1 : 0);
  s.add('medusa_purge_runs_total', l, 1);
  s.add('medusa_purge_errors_total', l, e.ok ? 0 : 1);
  const f = e.figures;
  s.add('medusa_purge_deleted_backups_total', l, f?.backupsDeleted ?? 0);
  s.add('medusa_purge_deleted_objects_total', l, f?.objectsDeleted ?? 0);
  s.add('medusa_purge_deleted_bytes_total', l, f?.bytesDeleted ?? 0);
  if (!e.ok || !f) return;
  s.set('medusa_purge_last_success_timestamp_seconds', l, seconds(e.finished));
  s.set('medusa_purge_last_objects_within_grace', l, f.objectsWithinGrace);
}

function applyReport(s: Samples, e: ReportMetricEvent): void {
  const l = { fqdn: e.fqdn };
  s.set('medusa_report_last_finish_timestamp_seconds', l, seconds(e.finished));
  s.set('medusa_report_last_success', l, e.ok ? 1 : 0);
  s.add('medusa_report_errors_total', l, e.ok ? 0 : 1);
  // A failed report keeps the bucket's figures it read last: their timestamps keep ageing, so
  // an alert on their age still fires; medusa_report_last_success says the report itself broke.
  if (!e.ok) return;
  s.set('medusa_node_latest_backup_finish_timestamp_seconds', l, e.nodeLatestFinished ?? 0);
  s.set('medusa_cluster_latest_complete_backup_finish_timestamp_seconds', l, e.clusterCompleteFinished ?? 0);
  const c = e.clusterLatest;
  s.drop('medusa_cluster_latest_backup_info', l);
  for (const family of ['medusa_cluster_latest_backup_nodes', 'medusa_cluster_latest_backup_size_bytes', 'medusa_cluster_latest_backup_files']) {
    s.drop(family, l);
  }
  if (!c) return;
  s.set('medusa_cluster_latest_backup_info', { ...l, backup_name: c.name }, 1);
  s.set('medusa_cluster_latest_backup_nodes', { ...l, state: 'complete' }, c.completeNodes);
  s.set('medusa_cluster_latest_backup_nodes', { ...l, state: 'incomplete' }, c.incompleteNodes);
  s.set('medusa_cluster_latest_backup_nodes', { ...l, state: 'missing' }, c.missingNodes);
  s.set('medusa_cluster_latest_backup_size_bytes', l, c.totalBytes);
  s.set('medusa_cluster_latest_backup_files', l, c.totalFiles);
}

function applyClusterJob(s: Samples, e: ClusterJobMetricEvent): void {
  const l = { fqdn: e.fqdn, command: e.command };
  s.set('medusa_cluster_job_last_start_timestamp_seconds', l, seconds(e.started));
  s.set('medusa_cluster_job_last_finish_timestamp_seconds', l, seconds(e.finished));
  s.set('medusa_cluster_job_last_success', l, e.ok ? 1 : 0);
  s.set('medusa_cluster_job_last_duration_seconds', l, Math.max(0, e.finished - e.started) / 1000);
  s.set('medusa_cluster_job_last_hosts', { ...l, state: 'ok' }, e.hosts.ok);
  s.set('medusa_cluster_job_last_hosts', { ...l, state: 'failed' }, e.hosts.failed);
  s.set('medusa_cluster_job_last_hosts', { ...l, state: 'not_attempted' }, e.hosts.notAttempted);
  s.drop('medusa_cluster_job_last_info', l);
  s.set('medusa_cluster_job_last_info', { ...l, backup_name: e.backupName }, 1);
  s.add('medusa_cluster_job_runs_total', l, 1);
  s.add('medusa_cluster_job_errors_total', l, e.ok ? 0 : 1);
  if (e.ok) s.set('medusa_cluster_job_last_success_timestamp_seconds', l, seconds(e.finished));
}

/** The samples after `event` (see the module comment); `previous` is not modified. */
export function applyMetricEvent(previous: SampleSet, event: MetricEvent): Map<string, Sample> {
  const s = new Samples(previous);
  if (event.kind === 'backup') applyBackup(s, event);
  else if (event.kind === 'purge') applyPurge(s, event);
  else if (event.kind === 'cluster-job') applyClusterJob(s, event);
  else applyReport(s, event);
  return s.map;
}
