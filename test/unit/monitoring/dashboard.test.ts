/**
 * The Grafana dashboard under contrib/ reads only series the Prometheus sink writes, and shows
 * the essential ones. (That Prometheus accepts every expression: the `monitoring` group.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FAMILIES } from '../../../src/monitoring/prometheus-families.js';
import { dashboardExpressions } from '../../support/grafana-dashboard.js';

test('contrib/grafana/medusa-dashboard.json: every metric it names exists; the essential ones are shown', () => {
  const known = new Set(FAMILIES.map((f) => f.name));
  const used = new Set<string>();
  for (const { panel, expr } of dashboardExpressions()) {
    for (const name of expr.match(/\bmedusa_[a-z0-9_]+/g) ?? []) {
      assert.ok(known.has(name), `panel "${panel}": ${name} is not a metric the sink writes`);
      used.add(name);
    }
  }
  // What an operator opens the dashboard for: backup age and success, sizes, purge activity, cluster state, cluster commands.
  const essential = [
    'medusa_backup_last_success_timestamp_seconds', 'medusa_backup_last_success', 'medusa_backup_errors_total',
    'medusa_backup_last_duration_seconds', 'medusa_backup_last_uploaded_bytes', 'medusa_backup_last_reused_bytes',
    'medusa_backup_uploaded_bytes_total', 'medusa_purge_deleted_objects_total', 'medusa_purge_deleted_bytes_total',
    'medusa_purge_errors_total', 'medusa_cluster_latest_complete_backup_finish_timestamp_seconds', 'medusa_cluster_latest_backup_nodes',
    'medusa_report_last_success', 'medusa_cluster_job_last_success', 'medusa_cluster_job_last_success_timestamp_seconds',
  ];
  assert.deepEqual(essential.filter((n) => !used.has(n)), []);
});
