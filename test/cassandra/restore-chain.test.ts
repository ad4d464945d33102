/**
 * Issue 13 on a real Cassandra 5.0 node (sequential SSTable generations, two data directories:
 * JBOD), on local storage and radosgw at once: full b1, writes, differential b2, writes,
 * differential b3; in-place restore of b1, then of b2 (two restores in a row, a middle backup);
 * writes, so Cassandra reuses SSTable names of b3 with other content; differential b4; a table
 * dropped and recreated; differential b5. Then:
 * - no stored object changed while b4 and b5 ran (local: every byte; radosgw: verify's ETags);
 * - `verify --all --enable-md5-checks` passes on both stores;
 * - every backup downloads to exactly the files its snapshot held (byte for byte);
 * - `delete-backup` of the oldest leaves every other backup verified;
 * - an in-place restore of b4 from radosgw gives exactly b4's rows, readable end to end.
 *
 * Restores stop and start the node, so this suite starts its own node and leaves the shared one
 * alone. Each backup runs on local storage with --keep-snapshot, the snapshot's files are copied
 * as the expected content, then the radosgw backup of the same name takes that same snapshot.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { withCql } from '../harness/cql-client.js';
import { countRows, createKeyspace, createTable, flush, writeRows } from '../harness/cql-helpers.js';
import { waitNodeReady } from '../harness/node-control.js';
import type { NodeDescriptor } from '../harness/node-descriptor.js';
import { startSingleNode, stopSingleNode } from '../harness/single-node.js';
import { changedObjects, downloadedTree, keepSnapshotCopy, md5Tree, taggedKeys } from '../support/backup-chain.js';
import { runMedusa, writeLocalIni, type CliResult } from '../support/cli.js';
import { radosgwLines } from '../support/object-store-env.js';

const KS = 'medusa_chain_it';
const root = mkdtempSync(join(tmpdir(), 'medusa-chain-it-'));
const storeDir = join(root, 'store');

function cassandraLines(node: NodeDescriptor): string[] {
  return [
    '', '[cassandra]', `config_file = ${node.cassandraYaml}`, `nodetool_executable = ${node.bin.nodetool}`,
    `start_cmd = ${node.bin.start}`, `stop_cmd = ${node.bin.stop}`, 'resolve_ip_addresses = False',
  ];
}

describe('a backup chain across in-place restores (issue 13)', () => {
  let node: NodeDescriptor;
  let local: string;
  let rgw: string;
  /** Expected `<table dir>/<file> → MD5` of each backup, and its row counts. */
  const expected = new Map<string, { files: Map<string, string>; users: number; other: number }>();
  const medusa = (ini: string, ...args: string[]): CliResult =>
    runMedusa(['--config-file', ini, '--without-log-timestamp', ...args], { cwd: root, env: { MEDUSA_CACHE_DIR: join(root, 'cache') }, timeoutMs: 900_000 });
  const ok = (r: CliResult, what: string): CliResult => {
    assert.equal(r.status, 0, `${what}:\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  const rows = (table: string): Promise<number> => withCql([node], (c) => countRows(c, KS, table));
  const write = async (table: string, count: number, start: number): Promise<void> => {
    await withCql([node], (c) => writeRows(c, KS, table, count, start));
    await flush(node, KS);
  };

  /** Backs up `name` on both stores (the same snapshot) and keeps what the snapshot held. */
  async function backupBoth(name: string, mode: 'full' | 'differential'): Promise<CliResult> {
    const r = ok(medusa(local, 'backup', '--backup-name', name, '--mode', mode, '--keep-snapshot'), `local backup ${name}`);
    const files = keepSnapshotCopy(node, KS, `medusa-${name}`, join(root, 'expected', name));
    ok(medusa(rgw, 'backup', '--backup-name', name, '--mode', mode), `radosgw backup ${name}`);
    expected.set(name, { files, users: await rows('users'), other: await rows('other') });
    return r;
  }

  async function restoreInPlace(ini: string, name: string): Promise<void> {
    ok(medusa(ini, 'restore-node', '--backup-name', name, '--in-place'), `restore ${name}`);
    await waitNodeReady(node);
    assert.equal(await rows('users'), expected.get(name)!.users, `users rows after restoring ${name}`);
    assert.equal(await rows('other'), expected.get(name)!.other, `other rows after restoring ${name}`);
  }

  before(async () => {
    node = await startSingleNode({ dir: join(root, 'node'), dataDirs: 2, name: 'chain' });
    local = writeLocalIni(join(root, 'conf-local'), {
      basePath: storeDir, bucket: 'bucket', fqdn: node.host, extra: ['concurrent_transfers = 2', ...cassandraLines(node)].join('\n'),
    });
    const storage = { ...radosgwLines(), prefix: `chain-${randomBytes(4).toString('hex')}`, fqdn: node.host, concurrent_transfers: 2 };
    mkdirSync(join(root, 'conf-rgw'), { recursive: true });
    rgw = join(root, 'conf-rgw', 'medusa.ini');
    writeFileSync(rgw, ['[storage]', ...Object.entries(storage).map(([k, v]) => `${k} = ${String(v)}`), ...cassandraLines(node), ''].join('\n'));
    await withCql([node], async (c) => {
      await createKeyspace(c, KS);
      await createTable(c, KS, 'users', { secondaryIndex: true });
      await createTable(c, KS, 'other');
      // No compaction: generations stay as flushed, so the restore makes Cassandra reuse names.
      for (const t of ['users', 'other']) await c.execute(`ALTER TABLE ${KS}.${t} WITH compaction = {'class': 'SizeTieredCompactionStrategy', 'enabled': 'false'}`);
    });
  });

  after(async () => {
    await stopSingleNode(join(root, 'node'), 10).catch(() => undefined);
    if (process.env['MEDUSA_TEST_KEEP'] === '1') console.log(`# kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  });

  test('b1..b3, restore b1 then b2 in place, reused SSTable names in b4, a recreated table in b5: nothing stored is overwritten', async () => {
    await write('users', 300, 0);
    await write('other', 200, 0);
    await backupBoth('b1', 'full');
    await write('users', 100, 300);
    await backupBoth('b2', 'differential');
    await write('users', 100, 400);
    await write('other', 50, 200);
    await backupBoth('b3', 'differential');

    await restoreInPlace(local, 'b1');
    await restoreInPlace(local, 'b2');

    // New rows with other content: the next generations are names b3 already stored.
    await write('users', 150, 1000);
    await write('other', 30, 1000);
    const before4 = md5Tree(join(storeDir, 'bucket'));
    const b4 = await backupBoth('b4', 'differential');
    const after4 = md5Tree(join(storeDir, 'bucket'));
    assert.deepEqual(changedObjects(before4, after4), [], 'b4 changed no stored object');
    assert.match(b4.stderr, /- \d+ files copied from host \(\d+ new, [1-9]\d* reuploaded\)/, `b4 met names stored with other content:\n${b4.stderr}`);
    assert.ok(taggedKeys(after4, node.host).some((k) => k.includes('/.users_category_idx/')), 'index components went under tagged keys too');

    await withCql([node], async (c) => {
      await c.execute(`DROP TABLE ${KS}.other`);
      await createTable(c, KS, 'other');
    });
    await write('other', 80, 0);
    const before5 = md5Tree(join(storeDir, 'bucket'));
    await backupBoth('b5', 'differential');
    assert.deepEqual(changedObjects(before5, md5Tree(join(storeDir, 'bucket'))), [], 'b5 changed no stored object');
  });

  test('every backup of the chain verifies with md5 checks and downloads to exactly its snapshot, on both stores', () => {
    for (const [label, ini] of [['local', local], ['radosgw', rgw]] as const) {
      const v = ok(medusa(ini, 'verify', '--all', '--enable-md5-checks'), `${label} verify --all`);
      assert.match(v.lines.at(-1) ?? '', /^All 5 complete backups validated$/, v.stdout);
      for (const [name, want] of expected) {
        const dest = join(root, 'download', label, name);
        mkdirSync(dest, { recursive: true });
        ok(medusa(ini, 'download', '--backup-name', name, '--download-destination', dest, '--keyspace', KS), `${label} download ${name}`);
        assert.deepEqual(downloadedTree(dest, KS), want.files, `${label} ${name}: downloaded files are the snapshot's`);
      }
    }
  });

  test('delete-backup of b1 keeps every object the other backups name', () => {
    ok(medusa(local, '--backup-grace-period-in-days', '0', 'delete-backup', '--backup-name', 'b1'), 'delete-backup b1');
    const v = ok(medusa(local, 'verify', '--all', '--enable-md5-checks'), 'verify --all after delete-backup');
    assert.match(v.lines.at(-1) ?? '', /^All 4 complete backups validated$/, v.stdout);
  });

  test('an in-place restore of b4 from radosgw gives exactly its rows, every one readable', async () => {
    await restoreInPlace(rgw, 'b4');
    const all = await withCql([node], async (c) => (await c.execute(`SELECT id, value FROM ${KS}.users`, [], { fetchSize: 100_000 })).rowLength);
    assert.equal(all, expected.get('b4')!.users);
    const byCategory = await withCql([node], async (c) => (await c.execute(`SELECT id FROM ${KS}.users WHERE category = 'cat-3'`)).rowLength);
    assert.equal(byCategory, expected.get('b4')!.users / 10);
  });
});
