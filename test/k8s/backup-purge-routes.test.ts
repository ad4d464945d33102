/**
 * `medusa backup` and `purge` in Kubernetes mode on the harness's real node: snapshots go through
 * the real Jolokia agent (`use_mgmt_api = False`) or through the Management API STAND-IN
 * (test/support/management-api-stand-in.ts, mTLS), never through nodetool (the ini's nodetool is a
 * script that records any call and fails). Backups take and clear real snapshots; purge's sweep
 * lists them from the data directories and clears a stale one. Failures of the route (HTTP 500,
 * nothing listening, a Jolokia error reply) end the backup with one clear line, exit 1, no
 * snapshot left, no complete backup stored and the table's rows as they were.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Client } from 'cassandra-driver';
import { connectCql } from '../harness/cql-client.js';
import { countRows, createKeyspace, createTable, flush, writeRows } from '../harness/cql-helpers.js';
import { nodetool } from '../harness/node-control.js';
import { freePort } from '../environments/object-stores/processes.js';
import type { CliResult } from '../support/cli.js';
import { startManagementApiStandIn, type ManagementApiStandIn } from '../support/management-api-stand-in.js';
import { makeTestPki } from '../support/test-pki.js';
import { backupBench, snapshotDirs, testNode, type BackupBench } from '../cassandra/backup-support.js';

const KS = 'medusa_k8s_backup';
const ROWS = 300;

/** The ERROR lines of a run; a failed run must have exactly one. */
function errorLines(r: CliResult): string[] {
  return r.stderr.split('\n').filter((l) => l.startsWith('ERROR: '));
}

describe('backup and purge through the Kubernetes snapshot routes (real node)', () => {
  const node = testNode();
  const jolokiaUrl = node.jolokia?.url;
  let client: Client;
  let api: ManagementApiStandIn;
  let nodetoolLog: string;
  const benches: BackupBench[] = [];

  /** A bench in Kubernetes mode whose nodetool must never run. */
  const k8sBench = (kubernetes: string[]): BackupBench => {
    const probe = backupBench(node);
    benches.push(probe);
    nodetoolLog = join(probe.dir, 'nodetool-calls.log');
    const script = join(probe.dir, 'forbidden-nodetool');
    writeFileSync(script, `#!/bin/sh\necho "$*" >> '${nodetoolLog}'\necho "nodetool must not run in Kubernetes mode" >&2\nexit 1\n`);
    chmodSync(script, 0o755);
    const bench = backupBench(node, { nodetool: script, sections: ['[kubernetes]', 'enabled = True', ...kubernetes] });
    benches.push(bench);
    return bench;
  };
  const noNodetool = (): void => assert.equal(existsSync(nodetoolLog) ? readFileSync(nodetoolLog, 'utf8') : '', '', 'nodetool was called');
  const env = { POD_IP: '' };

  before(async () => {
    if (!jolokiaUrl) throw new Error('the harness node runs no Jolokia agent (cassandra-node environment)');
    client = connectCql([node]);
    await createKeyspace(client, KS);
    await createTable(client, KS, 'items');
    await writeRows(client, KS, 'items', ROWS);
    await flush(node, KS);
  });
  after(async () => {
    await api?.close();
    for (const t of ['medusa-jk-kept', 'medusa-jk-crashed', 'medusa-jk-exists']) await nodetool(node, ['clearsnapshot', '-t', t]).catch(() => undefined);
    await client.execute(`DROP KEYSPACE IF EXISTS ${KS}`).catch(() => undefined);
    await client.shutdown();
    for (const b of benches) b.cleanup();
  });

  test('Jolokia: backup takes and clears the real snapshot; purge clears a stale one and keeps a kept one', async () => {
    const bench = k8sBench(['use_mgmt_api = False', `cassandra_url = ${jolokiaUrl}`]);
    const r = await bench.runAsync(['backup', '--backup-name', 'jk1'], env);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(bench.manifest('jk1').some((t) => t.keyspace === KS && t.objects.length > 0), 'the table is in the manifest');
    assert.deepEqual(snapshotDirs(node, 'medusa-jk1'), [], 'the snapshot was cleared');

    const kept = await bench.runAsync(['backup', '--backup-name', 'jk-kept', '--keep-snapshot'], env);
    assert.equal(kept.status, 0, kept.stderr);
    assert.ok(snapshotDirs(node, 'medusa-jk-kept').length > 0);
    await nodetool(node, ['snapshot', '-t', 'medusa-jk-crashed', KS]);
    const purge = await bench.runAsync(['purge'], env);
    assert.equal(purge.status, 0, purge.stderr);
    assert.match(purge.stderr, /INFO: Cleared snapshot medusa-jk-crashed: /);
    assert.match(purge.stderr, /INFO: Keeping snapshot medusa-jk-kept: /);
    assert.deepEqual(snapshotDirs(node, 'medusa-jk-crashed'), []);
    assert.ok(snapshotDirs(node, 'medusa-jk-kept').length > 0);
    noNodetool();
  });

  test('Jolokia error reply (the tag exists where the backup does not look): one line, exit 1, nothing stored', async () => {
    const bench = k8sBench(['use_mgmt_api = False', `cassandra_url = ${jolokiaUrl}`]);
    // Backups never look in system_traces (Medusa skips it), so a snapshot there goes unseen
    // until Cassandra refuses the tag: the real agent answers HTTP 200 with status 500.
    await nodetool(node, ['snapshot', '-t', 'medusa-jk-exists', 'system_traces']);
    const r = await bench.runAsync(['backup', '--backup-name', 'jk-exists'], env);
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(errorLines(r), ['ERROR: Jolokia: cannot take snapshot medusa-jk-exists: Jolokia status 500: java.io.IOException : Snapshot medusa-jk-exists already exists.']);
    assert.equal(existsSync(join(bench.bucketDir, bench.fqdn, 'jk-exists', 'meta', 'manifest.json')), false);
    assert.equal(await countRows(client, KS, 'items'), ROWS);
    noNodetool();
  });

  test('management API (mTLS): the backup sends POST then DELETE with its tag and the client certificate', async () => {
    const pki = await makeTestPki(join(benches[0]?.dir ?? '/tmp', 'pki'));
    api = await startManagementApiStandIn({ jolokiaUrl: jolokiaUrl!, tls: { server: pki.server, ca: pki.ca.cert } });
    const bench = k8sBench(['use_mgmt_api = True', `cassandra_url = ${api.url.replace('https:', 'http:')}`, `tls_cert = ${pki.client.cert}`, `tls_key = ${pki.client.key}`, `ca_cert = ${pki.ca.cert}`]);
    const r = await bench.runAsync(['backup', '--backup-name', 'mg1'], env);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(api.refused, []);
    assert.deepEqual(api.requests.map((q) => `${q.method} ${q.body || JSON.stringify(q.query)} ${q.clientCertificate}`), [
      'POST {"snapshot_name":"medusa-mg1"} medusa-test client',
      'DELETE {"snapshotNames":["medusa-mg1"]} medusa-test client',
    ]);
    assert.ok(bench.manifest('mg1').some((t) => t.keyspace === KS && t.objects.length > 0));
    assert.deepEqual(snapshotDirs(node, 'medusa-mg1'), []);

    api.mode = 'fail';
    api.requests.length = 0;
    const failed = await bench.runAsync(['backup', '--backup-name', 'mg-500'], env);
    api.mode = 'serve';
    assert.equal(failed.status, 1, failed.stderr);
    assert.deepEqual(errorLines(failed), ['ERROR: management API: cannot take snapshot medusa-mg-500: HTTP 500: java.lang.RuntimeException: stand-in told to fail']);
    assert.equal(existsSync(join(bench.bucketDir, bench.fqdn, 'mg-500', 'meta', 'manifest.json')), false);
    assert.deepEqual(snapshotDirs(node, 'medusa-mg-500'), []);
    assert.equal(await countRows(client, KS, 'items'), ROWS);
    noNodetool();
  });

  test('management API not listening: one line, exit 1', async () => {
    const port = await freePort();
    const bench = k8sBench(['use_mgmt_api = True', `cassandra_url = http://127.0.0.1:${port}/api/v0/ops/node/snapshots`]);
    const r = await bench.runAsync(['backup', '--backup-name', 'mg-down'], env);
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(errorLines(r), [`ERROR: management API: cannot take snapshot medusa-mg-down: POST http://127.0.0.1:${port}/api/v0/ops/node/snapshots: connection refused (is the API running?)`]);
    assert.equal(existsSync(join(bench.bucketDir, bench.fqdn, 'mg-down', 'meta', 'manifest.json')), false);
    noNodetool();
  });
});
