/**
 * Every metric family the Prometheus sink writes: name, type, help text and labels, in the order
 * they appear in the file. Names follow Prometheus conventions: the `medusa_` prefix, base units
 * in the name (`_seconds`, `_bytes`), `_timestamp_seconds` for Unix times, `_total` for counters
 * only. Labels: `fqdn` (the node, as in the bucket), `backup_type` (`full` / `differential`),
 * `command` (`purge`, `delete-backup`, `purge-decommissioned`; `backup-cluster`, `restore-cluster`
 * for the `medusa_cluster_job_` families), `state` (node and host counts), and
 * `backup_name` on the `_info` families only (one series per node at a time, so the name never
 * multiplies the other series).
 *
 * The `last_*` backup gauges describe the node's last run of that type: start, finish, duration
 * and success for whatever ended last; bytes and files for the last run that succeeded (a failed
 * run has no such figures, and keeping the good ones shows what a restore would find).
 */

export type FamilyType = 'gauge' | 'counter';

export interface MetricFamily {
  readonly name: string;
  readonly type: FamilyType;
  readonly help: string;
}

const gauge = (name: string, help: string): MetricFamily => ({ name, type: 'gauge', help });
const counter = (name: string, help: string): MetricFamily => ({ name, type: 'counter', help });

/** The families, in file order. */
export const FAMILIES: readonly MetricFamily[] = [
  gauge('medusa_backup_last_start_timestamp_seconds', 'Unix time the last backup of this node and type started.'),
  gauge('medusa_backup_last_finish_timestamp_seconds', 'Unix time the last backup of this node and type ended, successfully or not.'),
  gauge('medusa_backup_last_success_timestamp_seconds', 'Unix time the last successful backup of this node and type ended.'),
  gauge('medusa_backup_last_success', '1 if the last backup of this node and type succeeded, 0 if it failed.'),
  gauge('medusa_backup_last_duration_seconds', 'Duration of the last backup of this node and type.'),
  gauge('medusa_backup_last_uploaded_bytes', 'Bytes uploaded by the last successful backup.'),
  gauge('medusa_backup_last_uploaded_files', 'Files uploaded by the last successful backup.'),
  gauge('medusa_backup_last_reused_bytes', 'Bytes the last successful backup reused from earlier backups instead of uploading.'),
  gauge('medusa_backup_last_reused_files', 'Files the last successful backup reused from earlier backups instead of uploading.'),
  gauge('medusa_backup_last_size_bytes', 'Bytes listed in the manifest of the last successful backup.'),
  gauge('medusa_backup_last_files', 'Files listed in the manifest of the last successful backup.'),
  gauge('medusa_backup_last_info', 'Name of the last backup of this node and type (value always 1).'),
  counter('medusa_backup_runs_total', 'Backups of this node and type that ended, successfully or not.'),
  counter('medusa_backup_errors_total', 'Backups of this node and type that failed.'),
  counter('medusa_backup_uploaded_bytes_total', 'Bytes uploaded by successful backups.'),
  counter('medusa_backup_uploaded_files_total', 'Files uploaded by successful backups.'),
  gauge('medusa_purge_last_finish_timestamp_seconds', 'Unix time the last run of this purge command ended, successfully or not.'),
  gauge('medusa_purge_last_success_timestamp_seconds', 'Unix time the last successful run of this purge command ended.'),
  gauge('medusa_purge_last_success', '1 if the last run of this purge command succeeded, 0 if it failed.'),
  gauge('medusa_purge_last_objects_within_grace', 'Unreferenced objects the last successful run kept because they are within the grace period.'),
  counter('medusa_purge_runs_total', 'Runs of this purge command that ended (dry runs excluded).'),
  counter('medusa_purge_errors_total', 'Runs of this purge command that failed.'),
  counter('medusa_purge_deleted_backups_total', 'Node backups deleted.'),
  counter('medusa_purge_deleted_objects_total', 'Objects deleted from the bucket.'),
  counter('medusa_purge_deleted_bytes_total', 'Bytes deleted from the bucket.'),
  gauge('medusa_node_latest_backup_finish_timestamp_seconds', "Unix time this node's latest finished backup ended, as stored in the bucket (0: none)."),
  gauge('medusa_cluster_latest_complete_backup_finish_timestamp_seconds', 'Unix time the latest complete cluster backup ended (0: none).'),
  gauge('medusa_cluster_latest_backup_nodes', 'Nodes of the latest cluster backup, by state (complete, incomplete, missing).'),
  gauge('medusa_cluster_latest_backup_size_bytes', 'Bytes of the finished node backups of the latest cluster backup.'),
  gauge('medusa_cluster_latest_backup_files', 'Files of the finished node backups of the latest cluster backup.'),
  gauge('medusa_cluster_latest_backup_info', 'Name of the latest cluster backup (value always 1).'),
  gauge('medusa_report_last_finish_timestamp_seconds', 'Unix time report-last-backup last ran.'),
  gauge('medusa_report_last_success', '1 if the last report-last-backup could read the bucket, 0 if every attempt failed.'),
  counter('medusa_report_errors_total', 'report-last-backup runs whose every attempt failed.'),
  gauge('medusa_cluster_job_last_start_timestamp_seconds', 'Unix time the last run of this cluster command (backup-cluster, restore-cluster) started on this host.'),
  gauge('medusa_cluster_job_last_finish_timestamp_seconds', 'Unix time the last run of this cluster command ended, successfully or not.'),
  gauge('medusa_cluster_job_last_success_timestamp_seconds', 'Unix time the last successful run of this cluster command ended.'),
  gauge('medusa_cluster_job_last_success', '1 if the last run of this cluster command succeeded on every host, 0 if not.'),
  gauge('medusa_cluster_job_last_duration_seconds', 'Duration of the last run of this cluster command.'),
  gauge('medusa_cluster_job_last_hosts', 'Hosts of the last run of this cluster command, by state (ok, failed, not_attempted).'),
  gauge('medusa_cluster_job_last_info', 'Backup name of the last run of this cluster command (value always 1).'),
  counter('medusa_cluster_job_runs_total', 'Runs of this cluster command that ended, successfully or not.'),
  counter('medusa_cluster_job_errors_total', 'Runs of this cluster command that failed (on any host, or before reaching the hosts).'),
];

const BY_NAME = new Map(FAMILIES.map((f) => [f.name, f]));

/** The family called `name`, or undefined for a name this version does not write. */
export function familyNamed(name: string): MetricFamily | undefined {
  return BY_NAME.get(name);
}
