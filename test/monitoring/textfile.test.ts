/**
 * `monitoring_provider = prometheus` end to end: the built `medusa` runs purge, delete-backup,
 * report-last-backup --push-metrics, a backup and a backup-cluster that fail, on a local bucket,
 * and the textfile they leave is read by Prometheus's own tools (Python's prometheus_client parser,
 * `promtool check metrics`), which must accept it and find the figures the commands reported.
 *
 * A successful backup needs a Cassandra node; here it runs through the backup operation with the
 * snapshot and metadata ports served from a prepared folder (the same code path after the
 * snapshot). The `cassandra` group covers the CLI's node backups.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { findSnapshotTables, snapshotExists } from '../../src/cassandra/snapshot-files.js';
import type { SnapshotPort } from '../../src/cassandra/types.js';
import { createPrometheusSink } from '../../src/monitoring/prometheus.js';
import { backupNode } from '../../src/ops/backup-node.js';
import { LocalBackend } from '../../src/storage/backends/local.js';
import { systemClock } from '../../src/util/clock.js';
import { createLogger } from '../../src/util/logger.js';
import { runMedusa, scratchDir, writeLocalIni } from '../support/cli.js';
import { writeFixtureBucket, type FixtureNodeBackup } from '../support/fixture-bucket.js';
import { parseWithPrometheusClient, promtoolCheck, type ParsedFamily } from '../support/prometheus-tools.js';

const scratch = scratchDir('medusa-prom-textfile-');
after(() => scratch.cleanup());

const DAY = 86_400;
const NOW = Math.floor(Date.now() / 1000);
const TABLE = 'users-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1';

function backup(name: string, daysAgo: number, gen: number): FixtureNodeBackup {
  const started = NOW - daysAgo * DAY;
  return {
    name, fqdn: 'n1', mode: 'differential', started, finished: started + 600,
    tokenmap: { n1: { tokens: [0n], isUp: true, rack: 'r1', dc: 'dc1' } },
    sections: [{ keyspace: 'ks', columnfamily: TABLE, objects: [{ file: `nb-${gen}-big-Data.db`, content: `gen ${gen} `.repeat(100) }] }],
  };
}

function sample(families: ParsedFamily[], name: string, labels: Record<string, string>): number | undefined {
  for (const f of families) {
    for (const s of f.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}

describe('Prometheus textfile read by Prometheus tools', () => {
  const dir = join(scratch.dir, 'node');
  const textfile = join(dir, 'textfile', 'medusa.prom');
  mkdirSync(join(dir, 'textfile'), { recursive: true });
  writeFixtureBucket(dir, 'bucket', { nodeBackups: [backup('old', 40, 1), backup('mid', 20, 2), backup('new', 2, 3)] });
  const yaml = join(dir, 'cassandra.yaml');
  writeFileSync(yaml, `cluster_name: t\nnative_transport_port: 1\ndata_file_directories: [${join(dir, 'data')}]\n`);
  const ini = writeLocalIni(dir, {
    basePath: dir, bucket: 'bucket', fqdn: 'n1',
    extra: [
      'max_backup_count = 2', 'backup_grace_period_in_days = 0',
      '[cassandra]', `config_file = ${yaml}`, 'nodetool_executable = /nonexistent/nodetool', 'resolve_ip_addresses = False',
      '[monitoring]', 'monitoring_provider = prometheus', `prometheus_textfile = ${textfile}`,
    ].join('\n'),
  });
  const medusa = (...args: string[]) => runMedusa(['--config-file', ini, ...args], { cwd: dir, timeoutMs: 120_000 });

  test('purge, delete-backup, report-last-backup and a failed backup: every figure, accepted by both parsers', async () => {
    const purge = medusa('purge');
    assert.equal(purge.status, 0, purge.stderr);
    const dry = medusa('delete-backup', '--backup-name', 'mid', '--dry-run');
    assert.equal(dry.status, 0, dry.stderr);
    const del = medusa('delete-backup', '--backup-name', 'mid');
    assert.equal(del.status, 0, del.stderr);
    const report = medusa('report-last-backup', '--push-metrics');
    assert.equal(report.status, 0, report.stderr);
    // Fails inside the backup (no such snapshot), before any Cassandra call.
    const failed = medusa('backup', '--backup-name', 'nocass', '--use-existing-snapshot');
    assert.equal(failed.status, 1, failed.stderr);
    assert.match(failed.stderr, /Snapshot nocass does not exist/);
    // A cluster backup whose seed does not answer CQL fails before any host is touched.
    // (An agent socket that is never reached: the executor needs a way to authenticate to be built.)
    const cluster = runMedusa(['--config-file', ini, 'backup-cluster', '--backup-name', 'bc1', '--temp-dir', dir], { cwd: dir, timeoutMs: 120_000, env: { ...process.env, SSH_AUTH_SOCK: join(dir, 'no-agent.sock') } });
    assert.equal(cluster.status, 1, cluster.stderr);

    // A successful backup through the operation (see the module comment).
    const data = join(dir, 'data');
    const snapshots: SnapshotPort = {
      dataDirs: [data],
      exists: (tag) => snapshotExists([data], tag),
      create: (tag) => {
        const folder = join(data, 'ks', TABLE, 'snapshots', tag);
        mkdirSync(folder, { recursive: true });
        writeFileSync(join(folder, 'nb-3-big-Data.db'), 'gen 3 '.repeat(100));
        writeFileSync(join(folder, 'nb-4-big-Data.db'), 'gen 4 '.repeat(50));
        return Promise.resolve();
      },
      clear: () => Promise.resolve(),
      tables: (tag) => findSnapshotTables([data], tag),
    };
    const log = createLogger({ verbosity: 0, withoutTimestamp: true, write: () => undefined });
    const storage = new LocalBackend({ root: join(dir, 'bucket') });
    // The fixture wrote the bucket as Python Medusa would, so our store has no MD5 on record for it and
    // a differential reuses nothing of it (issue 13); nb-3 stored again through our store is reusable.
    await storage.put(`n1/data/ks/${TABLE}/nb-3-big-Data.db`, { kind: 'bytes', data: Buffer.from('gen 3 '.repeat(100)) });
    await backupNode(
      {
        storage, layout: { prefix: undefined }, log, fqdn: 'n1', clock: systemClock, snapshots,
        metadata: { read: () => Promise.resolve({ schema: 'CREATE KEYSPACE ks;', tokenmap: new Map([['n1', { tokens: [0n], is_up: true, rack: 'r1', dc: 'dc1' }]]), serverVersion: { server_type: 'cassandra', release_version: '5.0.9' } }) },
        concurrentTransfers: 1, md5CheckConcurrency: 1, multipartChunksize: 1 << 20,
        metrics: createPrometheusSink({ textfile, log }),
      },
      { backupName: 'fresh', mode: 'differential', checkHashes: false, keepSnapshot: false, useExistingSnapshot: false },
    );
    await storage.close();

    const text = readFileSync(textfile, 'utf8');
    const lint = promtoolCheck(text);
    assert.equal(lint.status, 0, `promtool check metrics:\n${lint.output}`);
    assert.equal(lint.output.trim(), '', 'no lint remark');
    const families = parseWithPrometheusClient(text);
    const types = new Map(families.map((f) => [f.name, f.type]));
    assert.equal(types.get('medusa_backup_runs'), 'counter');
    assert.equal(types.get('medusa_backup_last_success_timestamp_seconds'), 'gauge');

    const purgeL = { fqdn: 'n1', command: 'purge' };
    assert.equal(sample(families, 'medusa_purge_runs_total', purgeL), 1);
    assert.equal(sample(families, 'medusa_purge_deleted_backups_total', purgeL), 1, 'old is beyond max_backup_count = 2');
    assert.ok((sample(families, 'medusa_purge_deleted_objects_total', purgeL) ?? 0) > 0);
    const delL = { fqdn: 'n1', command: 'delete-backup' };
    assert.equal(sample(families, 'medusa_purge_runs_total', delL), 1, 'the dry run is not counted');
    assert.equal(sample(families, 'medusa_purge_deleted_backups_total', delL), 1);
    assert.equal(sample(families, 'medusa_purge_last_success', delL), 1);

    const nodeL = { fqdn: 'n1' };
    assert.equal(sample(families, 'medusa_node_latest_backup_finish_timestamp_seconds', nodeL), NOW - 2 * DAY + 600);
    assert.equal(sample(families, 'medusa_cluster_latest_backup_nodes', { ...nodeL, state: 'complete' }), 1);
    assert.equal(sample(families, 'medusa_cluster_latest_backup_info', { ...nodeL, backup_name: 'new' }), 1);
    assert.equal(sample(families, 'medusa_report_last_success', nodeL), 1);

    const clusterL = { fqdn: 'n1', command: 'backup-cluster' };
    assert.equal(sample(families, 'medusa_cluster_job_runs_total', clusterL), 1);
    assert.equal(sample(families, 'medusa_cluster_job_errors_total', clusterL), 1);
    assert.equal(sample(families, 'medusa_cluster_job_last_success', clusterL), 0);
    assert.equal(sample(families, 'medusa_cluster_job_last_hosts', { ...clusterL, state: 'failed' }), 0);
    assert.equal(sample(families, 'medusa_cluster_job_last_info', { ...clusterL, backup_name: 'bc1' }), 1);

    const diff = { fqdn: 'n1', backup_type: 'differential' };
    assert.equal(sample(families, 'medusa_backup_runs_total', diff), 2);
    assert.equal(sample(families, 'medusa_backup_errors_total', diff), 1);
    assert.equal(sample(families, 'medusa_backup_last_success', diff), 1);
    assert.equal(sample(families, 'medusa_backup_last_info', { ...diff, backup_name: 'fresh' }), 1);
    assert.equal(sample(families, 'medusa_backup_last_reused_files', diff), 1, 'nb-3 is in the pool');
    assert.equal(sample(families, 'medusa_backup_last_uploaded_files', diff), 1);
    assert.equal(sample(families, 'medusa_backup_last_uploaded_bytes', diff), 'gen 4 '.length * 50);
    assert.equal(sample(families, 'medusa_backup_last_reused_bytes', diff), 'gen 3 '.length * 100);
    assert.equal(sample(families, 'medusa_backup_last_files', diff), 2);
  });
});
