/**
 * The Prometheus sink's pure core: how events change the samples, and the exposition text it
 * writes and reads back. (That a real Prometheus parser accepts the text is checked in the
 * `monitoring` group.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FAMILIES } from '../../../src/monitoring/prometheus-families.js';
import { applyMetricEvent } from '../../../src/monitoring/prometheus-state.js';
import { parseExposition, renderExposition, type SampleSet } from '../../../src/monitoring/prometheus-text.js';
import type { BackupMetricEvent, MetricEvent } from '../../../src/monitoring/types.js';

const T0 = 1_700_000_000_000;

const okBackup: BackupMetricEvent = {
  kind: 'backup',
  fqdn: 'node1.example.com',
  mode: 'differential',
  backupName: 'b1',
  started: T0,
  finished: T0 + 90_500,
  ok: true,
  figures: { uploadedFiles: 3, uploadedBytes: 3000, reusedFiles: 7, reusedBytes: 7000, totalFiles: 10, totalBytes: 10_000 },
};

function run(...events: MetricEvent[]): SampleSet {
  return events.reduce<SampleSet>((s, e) => applyMetricEvent(s, e), new Map());
}

/** The value of one series, found by family and labels. */
function value(samples: SampleSet, family: string, labels: Record<string, string>): number | undefined {
  for (const s of samples.values()) {
    if (s.family === family && Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length) return s.value;
  }
  return undefined;
}

const node = { fqdn: 'node1.example.com', backup_type: 'differential' };

describe('Prometheus samples', () => {
  test('a successful backup: the exact text written', () => {
    assert.equal(
      renderExposition(run(okBackup)),
      [
        '# HELP medusa_backup_last_start_timestamp_seconds Unix time the last backup of this node and type started.',
        '# TYPE medusa_backup_last_start_timestamp_seconds gauge',
        'medusa_backup_last_start_timestamp_seconds{backup_type="differential",fqdn="node1.example.com"} 1700000000',
        '# HELP medusa_backup_last_finish_timestamp_seconds Unix time the last backup of this node and type ended, successfully or not.',
        '# TYPE medusa_backup_last_finish_timestamp_seconds gauge',
        'medusa_backup_last_finish_timestamp_seconds{backup_type="differential",fqdn="node1.example.com"} 1700000090',
        '# HELP medusa_backup_last_success_timestamp_seconds Unix time the last successful backup of this node and type ended.',
        '# TYPE medusa_backup_last_success_timestamp_seconds gauge',
        'medusa_backup_last_success_timestamp_seconds{backup_type="differential",fqdn="node1.example.com"} 1700000090',
        '# HELP medusa_backup_last_success 1 if the last backup of this node and type succeeded, 0 if it failed.',
        '# TYPE medusa_backup_last_success gauge',
        'medusa_backup_last_success{backup_type="differential",fqdn="node1.example.com"} 1',
        '# HELP medusa_backup_last_duration_seconds Duration of the last backup of this node and type.',
        '# TYPE medusa_backup_last_duration_seconds gauge',
        'medusa_backup_last_duration_seconds{backup_type="differential",fqdn="node1.example.com"} 90.5',
        '# HELP medusa_backup_last_uploaded_bytes Bytes uploaded by the last successful backup.',
        '# TYPE medusa_backup_last_uploaded_bytes gauge',
        'medusa_backup_last_uploaded_bytes{backup_type="differential",fqdn="node1.example.com"} 3000',
        '# HELP medusa_backup_last_uploaded_files Files uploaded by the last successful backup.',
        '# TYPE medusa_backup_last_uploaded_files gauge',
        'medusa_backup_last_uploaded_files{backup_type="differential",fqdn="node1.example.com"} 3',
        '# HELP medusa_backup_last_reused_bytes Bytes the last successful backup reused from earlier backups instead of uploading.',
        '# TYPE medusa_backup_last_reused_bytes gauge',
        'medusa_backup_last_reused_bytes{backup_type="differential",fqdn="node1.example.com"} 7000',
        '# HELP medusa_backup_last_reused_files Files the last successful backup reused from earlier backups instead of uploading.',
        '# TYPE medusa_backup_last_reused_files gauge',
        'medusa_backup_last_reused_files{backup_type="differential",fqdn="node1.example.com"} 7',
        '# HELP medusa_backup_last_size_bytes Bytes listed in the manifest of the last successful backup.',
        '# TYPE medusa_backup_last_size_bytes gauge',
        'medusa_backup_last_size_bytes{backup_type="differential",fqdn="node1.example.com"} 10000',
        '# HELP medusa_backup_last_files Files listed in the manifest of the last successful backup.',
        '# TYPE medusa_backup_last_files gauge',
        'medusa_backup_last_files{backup_type="differential",fqdn="node1.example.com"} 10',
        '# HELP medusa_backup_last_info Name of the last backup of this node and type (value always 1).',
        '# TYPE medusa_backup_last_info gauge',
        'medusa_backup_last_info{backup_name="b1",backup_type="differential",fqdn="node1.example.com"} 1',
        '# HELP medusa_backup_runs_total Backups of this node and type that ended, successfully or not.',
        '# TYPE medusa_backup_runs_total counter',
        'medusa_backup_runs_total{backup_type="differential",fqdn="node1.example.com"} 1',
        '# HELP medusa_backup_errors_total Backups of this node and type that failed.',
        '# TYPE medusa_backup_errors_total counter',
        'medusa_backup_errors_total{backup_type="differential",fqdn="node1.example.com"} 0',
        '# HELP medusa_backup_uploaded_bytes_total Bytes uploaded by successful backups.',
        '# TYPE medusa_backup_uploaded_bytes_total counter',
        'medusa_backup_uploaded_bytes_total{backup_type="differential",fqdn="node1.example.com"} 3000',
        '# HELP medusa_backup_uploaded_files_total Files uploaded by successful backups.',
        '# TYPE medusa_backup_uploaded_files_total counter',
        'medusa_backup_uploaded_files_total{backup_type="differential",fqdn="node1.example.com"} 3',
        '',
      ].join('\n'),
    );
  });

  test('a failed backup after a good one: run figures change, the good figures stay, counters count', () => {
    const failed: BackupMetricEvent = { kind: 'backup', fqdn: node.fqdn, mode: 'differential', backupName: 'b2', started: T0 + 86_400_000, finished: T0 + 86_410_000, ok: false };
    const s = run(okBackup, failed);
    assert.equal(value(s, 'medusa_backup_last_success', node), 0);
    assert.equal(value(s, 'medusa_backup_last_start_timestamp_seconds', node), 1_700_086_400);
    assert.equal(value(s, 'medusa_backup_last_success_timestamp_seconds', node), 1_700_000_090);
    assert.equal(value(s, 'medusa_backup_last_uploaded_bytes', node), 3000);
    assert.equal(value(s, 'medusa_backup_runs_total', node), 2);
    assert.equal(value(s, 'medusa_backup_errors_total', node), 1);
    assert.equal(value(s, 'medusa_backup_uploaded_bytes_total', node), 3000);
    assert.equal(value(s, 'medusa_backup_last_info', { ...node, backup_name: 'b1' }), undefined, 'the older name is gone');
    assert.equal(value(s, 'medusa_backup_last_info', { ...node, backup_name: 'b2' }), 1);
  });

  test('full and differential backups, and two nodes, are separate series', () => {
    const full = { ...okBackup, mode: 'full' as const, backupName: 'f1' };
    const other = { ...okBackup, fqdn: 'node2.example.com' };
    const s = run(okBackup, full, other, okBackup);
    assert.equal(value(s, 'medusa_backup_runs_total', node), 2);
    assert.equal(value(s, 'medusa_backup_runs_total', { fqdn: node.fqdn, backup_type: 'full' }), 1);
    assert.equal(value(s, 'medusa_backup_runs_total', { fqdn: 'node2.example.com', backup_type: 'differential' }), 1);
    assert.equal(value(s, 'medusa_backup_uploaded_files_total', node), 6);
  });

  test('purge runs add up per command; a failed run counts an error and keeps the last good figures', () => {
    const purge = (ok: boolean, objects: number): MetricEvent => ({
      kind: 'purge', command: 'purge', fqdn: 'n1', finished: T0, ok,
      ...(ok ? { figures: { backupsDeleted: 1, objectsDeleted: objects, bytesDeleted: objects * 10, objectsWithinGrace: 4 } } : {}),
    });
    const s = run(purge(true, 5), purge(true, 7), purge(false, 0), { kind: 'purge', command: 'delete-backup', fqdn: 'n1', finished: T0, ok: true, figures: { backupsDeleted: 2, objectsDeleted: 1, bytesDeleted: 1, objectsWithinGrace: 0 } });
    const l = { fqdn: 'n1', command: 'purge' };
    assert.equal(value(s, 'medusa_purge_runs_total', l), 3);
    assert.equal(value(s, 'medusa_purge_errors_total', l), 1);
    assert.equal(value(s, 'medusa_purge_deleted_objects_total', l), 12);
    assert.equal(value(s, 'medusa_purge_deleted_bytes_total', l), 120);
    assert.equal(value(s, 'medusa_purge_deleted_backups_total', l), 2);
    assert.equal(value(s, 'medusa_purge_last_success', l), 0);
    assert.equal(value(s, 'medusa_purge_last_objects_within_grace', l), 4);
    assert.equal(value(s, 'medusa_purge_deleted_backups_total', { fqdn: 'n1', command: 'delete-backup' }), 2);
  });

  test('report: figures, then "no backup" as 0 and no cluster series, then a failure keeps them', () => {
    const l = { fqdn: 'n1' };
    const found: MetricEvent = {
      kind: 'report', fqdn: 'n1', finished: T0, ok: true, nodeLatestFinished: 1_690_000_000, clusterCompleteFinished: 1_690_000_100,
      clusterLatest: { name: 'c1', completeNodes: 2, incompleteNodes: 1, missingNodes: 0, totalBytes: 99, totalFiles: 9 },
    };
    let s = run(found);
    assert.equal(value(s, 'medusa_node_latest_backup_finish_timestamp_seconds', l), 1_690_000_000);
    assert.equal(value(s, 'medusa_cluster_latest_backup_nodes', { ...l, state: 'incomplete' }), 1);
    assert.equal(value(s, 'medusa_cluster_latest_backup_info', { ...l, backup_name: 'c1' }), 1);
    s = applyMetricEvent(s, { kind: 'report', fqdn: 'n1', finished: T0, ok: false });
    assert.equal(value(s, 'medusa_report_last_success', l), 0);
    assert.equal(value(s, 'medusa_report_errors_total', l), 1);
    assert.equal(value(s, 'medusa_cluster_latest_backup_size_bytes', l), 99);
    s = applyMetricEvent(s, { kind: 'report', fqdn: 'n1', finished: T0, ok: true });
    assert.equal(value(s, 'medusa_node_latest_backup_finish_timestamp_seconds', l), 0);
    assert.equal(value(s, 'medusa_cluster_latest_complete_backup_finish_timestamp_seconds', l), 0);
    assert.equal(value(s, 'medusa_cluster_latest_backup_size_bytes', l), undefined);
    assert.equal([...s.values()].filter((x) => x.family === 'medusa_cluster_latest_backup_nodes').length, 0);
  });
});

describe('Prometheus text', () => {
  test('what is written reads back the same, label escapes included', () => {
    const odd = { ...okBackup, fqdn: 'a"b\\c\nd', backupName: 'x"y' };
    const s = run(okBackup, odd, { kind: 'purge', command: 'purge', fqdn: 'n1', finished: T0, ok: true, figures: { backupsDeleted: 0, objectsDeleted: 0, bytesDeleted: 0, objectsWithinGrace: 0 } });
    const text = renderExposition(s);
    assert.match(text, /fqdn="a\\"b\\\\c\\nd"/);
    assert.deepEqual(parseExposition(text), s);
    assert.equal(renderExposition(parseExposition(text)), text);
  });

  test('families this version does not write, and unreadable lines, are dropped', () => {
    const text = [
      '# TYPE medusa_old_metric gauge',
      'medusa_old_metric{fqdn="n1"} 3',
      'medusa_backup_runs_total{fqdn="n1",backup_type="full"} 4',
      'medusa_backup_errors_total{fqdn="n1" 4',
      'medusa_backup_uploaded_bytes_total{fqdn="n1"} abc',
      'medusa_backup_uploaded_files_total{fqdn="n1"} 2 1700000000000',
    ].join('\n');
    const s = parseExposition(text);
    assert.deepEqual([...s.keys()], ['medusa_backup_runs_total{backup_type="full",fqdn="n1"}', 'medusa_backup_uploaded_files_total{fqdn="n1"}']);
  });

  test('every family follows the naming conventions', () => {
    for (const f of FAMILIES) {
      assert.match(f.name, /^medusa_[a-z0-9_]+$/, f.name);
      assert.equal(f.name.endsWith('_total'), f.type === 'counter', `${f.name}: _total exactly on counters`);
      if (/timestamp|duration/.test(f.name)) assert.ok(f.name.endsWith('_seconds'), `${f.name} is in seconds`);
      assert.ok(f.help.length > 10, `${f.name} has a help text`);
    }
    assert.equal(new Set(FAMILIES.map((f) => f.name)).size, FAMILIES.length);
  });
});

describe('Prometheus samples of cluster commands', () => {
  test('a cluster-job event sets the last run of its command and counts runs and errors', () => {
    const l = { fqdn: 'admin1', command: 'backup-cluster' };
    const ok: MetricEvent = { kind: 'cluster-job', command: 'backup-cluster', fqdn: 'admin1', backupName: 'c1', started: T0, finished: T0 + 120_000, ok: true, hosts: { ok: 3, failed: 0, notAttempted: 0 } };
    const failed: MetricEvent = { ...ok, backupName: 'c2', started: T0 + 200_000, finished: T0 + 260_000, ok: false, hosts: { ok: 1, failed: 1, notAttempted: 1 } };
    const s = run(ok, failed);
    assert.equal(value(s, 'medusa_cluster_job_last_start_timestamp_seconds', l), (T0 + 200_000) / 1000);
    assert.equal(value(s, 'medusa_cluster_job_last_finish_timestamp_seconds', l), (T0 + 260_000) / 1000);
    assert.equal(value(s, 'medusa_cluster_job_last_success_timestamp_seconds', l), (T0 + 120_000) / 1000, 'the last success is kept');
    assert.equal(value(s, 'medusa_cluster_job_last_success', l), 0);
    assert.equal(value(s, 'medusa_cluster_job_last_duration_seconds', l), 60);
    assert.equal(value(s, 'medusa_cluster_job_last_hosts', { ...l, state: 'failed' }), 1);
    assert.equal(value(s, 'medusa_cluster_job_last_hosts', { ...l, state: 'not_attempted' }), 1);
    assert.equal(value(s, 'medusa_cluster_job_last_info', { ...l, backup_name: 'c2' }), 1);
    assert.equal(value(s, 'medusa_cluster_job_last_info', { ...l, backup_name: 'c1' }), undefined, 'one name per command');
    assert.equal(value(s, 'medusa_cluster_job_runs_total', l), 2);
    assert.equal(value(s, 'medusa_cluster_job_errors_total', l), 1);
    // restore-cluster keeps its own series.
    const r = run(ok, { ...ok, command: 'restore-cluster' });
    assert.equal(value(r, 'medusa_cluster_job_runs_total', l), 1);
    assert.equal(value(r, 'medusa_cluster_job_runs_total', { ...l, command: 'restore-cluster' }), 1);
    assert.deepEqual(parseExposition(renderExposition(s)), s);
  });
});
