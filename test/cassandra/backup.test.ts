/**
 * `medusa backup` against the real harness node, local storage: full backup, three differentials
 * with writes and a compaction between them, secondary-index files, verify with and without md5
 * checks, --keep-snapshot and --use-existing-snapshot.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Client } from 'cassandra-driver';
import { connectCql } from '../harness/cql-client.js';
import { compact, createKeyspace, createTable, flush, writeRows } from '../harness/cql-helpers.js';
import { nodetool } from '../harness/node-control.js';
import { backupBench, snapshotDirs, summaryOf, testNode, type BackupBench } from './backup-support.js';

const KS = 'medusa_backup_it';

describe('medusa backup on a real node', () => {
  const node = testNode();
  let client: Client;
  let bench: BackupBench;

  before(async () => {
    client = connectCql([node]);
    await createKeyspace(client, KS);
    await createTable(client, KS, 'users', { secondaryIndex: true });
    await writeRows(client, KS, 'users', 500);
    await flush(node, KS);
    bench = backupBench(node);
  });
  after(async () => {
    await client.execute(`DROP KEYSPACE IF EXISTS ${KS}`).catch(() => undefined);
    await client.shutdown();
    bench.cleanup();
  });

  const ourObjects = (name: string) => bench.manifest(name).filter((s) => s.keyspace === KS).flatMap((s) => s.objects);

  test('full backup: complete, verified (with and without md5 checks), 2i files listed, snapshot cleared', () => {
    const r = bench.run(['backup', '--backup-name', 'full1', '--mode', 'full']);
    assert.equal(r.status, 0, r.stderr);
    const s = summaryOf(r.stderr);
    assert.equal(s.kept, 0);
    assert.equal(s.uploaded, s.total);
    const objects = ourObjects('full1');
    assert.ok(objects.some((o) => o.path.includes('/.users_category_idx/')), 'secondary index files in the manifest');
    assert.ok(objects.every((o) => o.path.startsWith(`${bench.fqdn}/full1/data/${KS}/users-`)));
    assert.ok(objects.every((o) => typeof o.MD5 === 'string' && /^[0-9a-f]{32}$/.test(o.MD5)));
    assert.deepEqual(snapshotDirs(node, 'medusa-full1'), []);
    const list = bench.run(['list-backups']);
    assert.match(list.stdout, /^full1 \(started: .*, finished: .*\)$/m);
    const v = bench.run(['verify', '--backup-name', 'full1']);
    assert.equal(v.status, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /- Manifest validated: OK!!/);
    const v5 = bench.run(['verify', '--backup-name', 'full1', '--enable-md5-checks']);
    assert.equal(v5.status, 0, v5.stdout + v5.stderr);
  });

  test('three differentials with writes and a compaction: pool grows, unchanged files are not uploaded again', async () => {
    const d1 = bench.run(['backup', '--backup-name', 'diff1']);
    assert.equal(d1.status, 0, d1.stderr);
    const s1 = summaryOf(d1.stderr);
    assert.equal(s1.kept, 0, 'first differential after a full one uploads everything (full objects are not in the pool)');
    const pool1 = bench.poolSize();
    assert.equal(pool1, s1.uploaded);
    const before2 = new Set(ourObjects('diff1').map((o) => o.path));
    const hashes1 = new Map(bench.manifest('diff1').flatMap((s) => s.objects).map((o) => [o.path, o.MD5]));

    await writeRows(client, KS, 'users', 500, 500);
    await flush(node, KS);
    const d2 = bench.run(['backup', '--backup-name', 'diff2', '--enable-md5-checks']);
    assert.equal(d2.status, 0, d2.stderr);
    const s2 = summaryOf(d2.stderr);
    const objects2 = ourObjects('diff2');
    // Our table: every earlier file is reused with the MD5 recorded when it was stored (issue 13:
    // a reuse is content-checked), the new SSTables uploaded.
    for (const o of objects2) {
      assert.ok(/^[0-9a-f]{32}$/.test(o.MD5 ?? ''), `${o.path}: MD5 ${o.MD5}`);
      if (before2.has(o.path)) assert.equal(o.MD5, hashes1.get(o.path), `${o.path} reused as stored`);
    }
    assert.ok(before2.size > 0 && [...before2].every((p) => objects2.some((o) => o.path === p)), 'every earlier file of our table is reused');
    assert.ok(objects2.some((o) => !before2.has(o.path)), 'the new SSTables were uploaded');
    const manifest2 = bench.manifest('diff2').flatMap((s) => s.objects);
    assert.equal(manifest2.filter((o) => hashes1.has(o.path)).length, s2.kept);
    assert.equal(manifest2.filter((o) => !hashes1.has(o.path)).length, s2.uploaded);
    assert.ok(s2.kept >= before2.size);
    const pool2 = bench.poolSize();
    assert.ok(pool2 > pool1, `pool grows (${pool1} -> ${pool2})`);

    await compact(node, KS);
    const d3 = bench.run(['backup', '--backup-name', 'diff3']);
    assert.equal(d3.status, 0, d3.stderr);
    const s3 = summaryOf(d3.stderr);
    const objects3 = ourObjects('diff3');
    const before3 = new Set(objects2.map((o) => o.path));
    assert.ok(objects3.some((o) => !before3.has(o.path) && o.MD5 !== null), 'compacted SSTables uploaded');
    assert.equal(s3.replaced, 0);
    const pool3 = bench.poolSize();
    assert.ok(pool3 > pool2, `pool grows (${pool2} -> ${pool3})`);
    for (const name of ['diff1', 'diff2', 'diff3']) {
      const v = bench.run(['verify', '--backup-name', name, '--enable-md5-checks']);
      assert.equal(v.status, 0, `${name}: ${v.stdout}${v.stderr}`);
    }
    const status = bench.run(['status', '--backup-name', 'diff3']);
    assert.equal(status.status, 0, status.stderr);
  });

  test('--keep-snapshot leaves medusa-<name>; --use-existing-snapshot backs up snapshot <name> and clears it', async () => {
    const k = bench.run(['backup', '--backup-name', 'kept1', '--keep-snapshot']);
    assert.equal(k.status, 0, k.stderr);
    assert.ok(snapshotDirs(node, 'medusa-kept1').length > 0, 'snapshot kept');
    await nodetool(node, ['clearsnapshot', '-t', 'medusa-kept1']);

    const missing = bench.run(['backup', '--backup-name', 'nosnap', '--use-existing-snapshot']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /Snapshot nosnap does not exist/);

    await nodetool(node, ['snapshot', '-t', 'existing1']);
    const e = bench.run(['backup', '--backup-name', 'existing1', '--use-existing-snapshot']);
    assert.equal(e.status, 0, e.stderr);
    assert.ok(ourObjects('existing1').length > 0);
    assert.deepEqual(snapshotDirs(node, 'existing1'), []);
    assert.deepEqual(snapshotDirs(node, 'medusa-existing1'), [], 'no snapshot of its own was taken');
  });
});
