/**
 * Smoke test of the single-node harness (environment `cassandra-node`): the node is real and its
 * generated executables behave as Medusa expects on a production host.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { withCql } from './cql-client.js';
import { compact, countRows, createKeyspace, createTable, flush, tableDirs, truncateTable, writeRows } from './cql-helpers.js';
import { execOk } from './exec.js';
import { nodetool } from './node-control.js';
import { waitFor } from './probes.js';
import { testNode } from './test-env.js';

const MEDUSA_DEFAULT_FLAGS = ['-Dcom.sun.jndi.rmiURLParsing=legacy'];
const KS = 'harness_smoke';

function dataFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('-Data.db'));
}

describe('single node (cassandra-node)', () => {
  const node = testNode();
  // One client per test: a client that lives across the node restart below keeps reconnecting
  // and would hold the test process open after shutdown().
  const cql = <T>(work: Parameters<typeof withCql<T>>[1]): Promise<T> => withCql([node], work);

  before(() => cql(async (client) => {
    await createKeyspace(client, KS);
    await createTable(client, KS, 'rows_2i', { secondaryIndex: true });
  }));
  after(() => cql(async (client) => {
    await client.execute(`DROP KEYSPACE IF EXISTS ${KS}`);
  }));

  test('nodetool status, called the way Medusa calls it, shows the node Up/Normal', async () => {
    const out = await nodetool(node, [...MEDUSA_DEFAULT_FLAGS, 'status']);
    assert.match(out, new RegExp(`^UN\\s+${node.host.replace(/\./g, '\\.')}\\s`, 'm'), out);
    assert.match(out, /^Datacenter: dc1$/m);
  });

  test('cassandra-driver reads the descriptor\'s tokens from system.local', async () => {
    const row = await cql(async (client) => (await client.execute('SELECT tokens, release_version, data_center, rack FROM system.local')).first());
    const tokens = (row.get('tokens') as string[]).slice().sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    assert.deepEqual(tokens, node.tokens);
    assert.equal(row.get('release_version'), node.cassandraVersion);
    assert.equal(row.get('data_center'), 'dc1');
    assert.equal(row.get('rack'), 'rack1');
  });

  test('rows written and flushed land in SSTables; nodetool snapshot -t x hard-links them under snapshots/x', async () => {
    await cql((client) => writeRows(client, KS, 'rows_2i', 100));
    await flush(node, KS, ['rows_2i']);
    assert.equal(await cql((client) => countRows(client, KS, 'rows_2i')), 100);
    const out = await nodetool(node, [...MEDUSA_DEFAULT_FLAGS, 'snapshot', '-t', 'x', KS]);
    assert.match(out, /Snapshot directory: x/);
    const [tableDir] = tableDirs(node, KS, 'rows_2i');
    assert.ok(tableDir, 'table folder exists');
    const snapshot = join(tableDir, 'snapshots', 'x');
    const files = readdirSync(snapshot);
    assert.ok(files.includes('manifest.json') && files.includes('schema.cql'), files.join(' '));
    assert.ok(dataFiles(snapshot).length >= 1, files.join(' '));
    // The secondary index's SSTables sit in a hidden folder, in the table and in the snapshot.
    assert.ok(existsSync(join(snapshot, '.rows_2i_category_idx')), `no index folder in ${snapshot}: ${files.join(' ')}`);
    await nodetool(node, ['clearsnapshot', '-t', 'x', '--', KS]);
    assert.equal(existsSync(snapshot), false);
  });

  test('nodetool compact leaves one SSTable', async () => {
    await cql((client) => writeRows(client, KS, 'rows_2i', 50, 1000));
    await flush(node, KS, ['rows_2i']);
    const [tableDir] = tableDirs(node, KS, 'rows_2i');
    assert.ok(tableDir);
    assert.ok(dataFiles(tableDir).length >= 2);
    await compact(node, KS, ['rows_2i']);
    // Compacted-away SSTables are deleted in the background once no reader holds them.
    await waitFor('compacted SSTables to be deleted', () => dataFiles(tableDir).length === 1, { timeoutMs: 60_000 });
    assert.equal(await cql((client) => countRows(client, KS, 'rows_2i')), 150);
  });

  test('sstableloader, called the way Medusa calls it, loads a snapshot back after truncate', async () => {
    await cql(async (client) => {
      await createTable(client, KS, 'loaded');
      await writeRows(client, KS, 'loaded', 200);
    });
    await nodetool(node, ['snapshot', '-t', 'load', KS]);
    const [tableDir] = tableDirs(node, KS, 'loaded');
    assert.ok(tableDir);
    await cql((client) => truncateTable(client, KS, 'loaded'));
    assert.equal(await cql((client) => countRows(client, KS, 'loaded')), 0);
    // sstableloader takes the keyspace and table from the last two folder names.
    const staging = mkdtempSync(join(tmpdir(), 'medusa-harness-load-'));
    try {
      const target = join(staging, KS, 'loaded');
      cpSync(join(tableDir, 'snapshots', 'load'), target, { recursive: true });
      await execOk(node.bin.sstableloader, ['-d', node.host, '--conf-path', node.cassandraYaml, '--username', 'foo',
        '--password', 'foo', '--no-progress', '--port', String(node.cqlPort), '--storage-port', String(node.storagePort), target],
      { timeoutMs: 120_000 });
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    assert.equal(await cql((client) => countRows(client, KS, 'loaded')), 200);
  });

  test('bin/start on a running node is a no-op that exits 0', async () => {
    const { stdout } = await execOk(node.bin.start, ['--wait', '30']);
    assert.match(stdout, /already running/);
    assert.match(stdout, /answers CQL/);
  });
});
