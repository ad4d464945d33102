/**
 * `medusa restore-node` against real Cassandra 5 nodes, local storage. Restores stop and start
 * their node, so this suite starts its OWN nodes (harness API) and leaves the shared one alone:
 * node A (two data directories: JBOD) takes backup r1, then in-place restore with --verify,
 * a table-filtered restore, an sstableloader restore after TRUNCATE; node B (other tokens)
 * receives A's backup with --remote and must come up with A's tokens and rows.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { withCql } from '../harness/cql-client.js';
import { countRows, createKeyspace, createTable, flush, truncateTable, writeRows } from '../harness/cql-helpers.js';
import { waitNodeReady } from '../harness/node-control.js';
import type { NodeDescriptor } from '../harness/node-descriptor.js';
import { startSingleNode, stopSingleNode } from '../harness/single-node.js';
import { MEDUSA_BIN, writeLocalIni } from '../support/cli.js';

const KS = 'medusa_restore_it';
const root = mkdtempSync(join(tmpdir(), 'medusa-restore-it-'));
const storeDir = join(root, 'store');

/** A medusa.ini for `node` on the shared local bucket, with the node's own start/stop/tools. */
function iniFor(node: NodeDescriptor, name: string, checks: string[] = []): string {
  return writeLocalIni(join(root, name), {
    basePath: storeDir, bucket: 'bucket', fqdn: node.host,
    extra: [
      'concurrent_transfers = 2', '', '[cassandra]',
      `config_file = ${node.cassandraYaml}`, `nodetool_executable = ${node.bin.nodetool}`,
      `sstableloader_bin = ${node.bin.sstableloader}`, `start_cmd = ${node.bin.start}`, `stop_cmd = ${node.bin.stop}`,
      'resolve_ip_addresses = False', '', '[checks]', ...checks,
    ].join('\n'),
  });
}

function medusa(ini: string, args: string[]): { status: number; stderr: string } {
  const r = spawnSync(MEDUSA_BIN, ['--config-file', ini, '--without-log-timestamp', ...args], {
    cwd: root, encoding: 'utf8', timeout: 900_000, env: { ...process.env, TZ: 'UTC', MEDUSA_CACHE_DIR: join(root, 'cache') },
  });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stderr: r.stderr };
}

const count = (node: NodeDescriptor, table: string): Promise<number> => withCql([node], (c) => countRows(c, KS, table));

describe('restore-node on real nodes', () => {
  let a: NodeDescriptor;
  let iniA: string;

  before(async () => {
    a = await startSingleNode({ dir: join(root, 'a'), dataDirs: 2, numTokens: 4, name: 'nodeA' });
    iniA = iniFor(a, 'conf-a', ['health_check = cql', `query = SELECT COUNT(*) FROM ${KS}.users`, 'expected_rows = 1', 'expected_result = 300']);
    await withCql([a], async (c) => {
      await createKeyspace(c, KS);
      await createTable(c, KS, 'users', { secondaryIndex: true });
      await createTable(c, KS, 'other');
      await writeRows(c, KS, 'users', 300);
      await writeRows(c, KS, 'other', 200);
    });
    await flush(a, KS);
    const r = medusa(iniA, ['backup', '--backup-name', 'r1', '--mode', 'full']);
    assert.equal(r.status, 0, r.stderr);
  });

  after(async () => {
    await stopSingleNode(join(root, 'a'), 10).catch(() => undefined);
    await stopSingleNode(join(root, 'b'), 10).catch(() => undefined);
    if (process.env['MEDUSA_TEST_KEEP'] === '1') console.log(`# kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  });

  test('backup → write more → in-place restore with --verify: row counts back to the backup', async () => {
    await withCql([a], async (c) => {
      await writeRows(c, KS, 'users', 200, 300);
      await writeRows(c, KS, 'other', 100, 200);
    });
    await flush(a, KS);
    assert.equal(await count(a, 'users'), 500);
    const r = medusa(iniA, ['restore-node', '--backup-name', 'r1', '--verify']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /Restore verify query returned|The restore verification is complete/);
    await waitNodeReady(a);
    assert.equal(await count(a, 'users'), 300);
    assert.equal(await count(a, 'other'), 200);
    // The secondary index came back with its table.
    const byCategory = await withCql([a], async (c) => (await c.execute(`SELECT id FROM ${KS}.users WHERE category = 'cat-3'`)).rows.length);
    assert.equal(byCategory, 30);
  });

  test('a table-filtered restore leaves the other tables alone', async () => {
    await withCql([a], async (c) => {
      await writeRows(c, KS, 'users', 100, 300);
      await writeRows(c, KS, 'other', 50, 200);
    });
    await flush(a, KS);
    const r = medusa(iniA, ['restore-node', '--backup-name', 'r1', '--table', `${KS}.other`]);
    assert.equal(r.status, 0, r.stderr);
    await waitNodeReady(a);
    assert.equal(await count(a, 'other'), 200);
    assert.equal(await count(a, 'users'), 400);
  });

  test('an sstableloader restore after TRUNCATE brings the rows back, Cassandra staying up', async () => {
    await withCql([a], (c) => truncateTable(c, KS, 'users'));
    assert.equal(await count(a, 'users'), 0);
    const r = medusa(iniA, ['restore-node', '--backup-name', 'r1', '--use-sstableloader', '--keyspace', KS]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /Stopping Cassandra/);
    assert.equal(await count(a, 'users'), 300);
  });

  test('a remote restore onto a second node pins the backup tokens and brings the data', async () => {
    const b = await startSingleNode({ dir: join(root, 'b'), numTokens: 8, name: 'nodeB' });
    const iniB = iniFor(b, 'conf-b');
    const r = medusa(iniB, ['--fqdn', a.host, 'restore-node', '--backup-name', 'r1', '--remote']);
    assert.equal(r.status, 0, r.stderr);
    await waitNodeReady(b);
    const yaml = readFileSync(b.cassandraYaml, 'utf8');
    assert.match(yaml, /^num_tokens: 4$/m);
    // Tokens are written in the tokenmap's order (Medusa's: sorted as strings).
    const pinned = /^initial_token: (.*)$/m.exec(yaml)?.[1]?.split(',') ?? [];
    assert.deepEqual([...pinned].sort(), [...a.tokens].sort());
    const tokens = await withCql([b], async (c) => (await c.execute('SELECT tokens FROM system.local')).first().get('tokens') as string[]);
    assert.deepEqual([...tokens].sort(), [...a.tokens].sort());
    assert.equal(await count(b, 'users'), 300);
    assert.equal(await count(b, 'other'), 200);
  });
});
