/**
 * `purge` clears stale `medusa-*` snapshots on the real harness node (design §3 "crash safety"):
 * one whose backup crashed (its lock names a process that is gone), while a snapshot whose backup
 * is running (a live lock, held here by this test process, as `medusa backup` holds it) stays, so
 * does one a finished `backup --keep-snapshot` kept on purpose, and so does an operator's own. While that backup
 * runs, the orphan cleanup of the node's pool is skipped with a warning. `--dry-run` only reports.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Client } from 'cassandra-driver';
import { connectCql } from '../harness/cql-client.js';
import { createKeyspace, createTable, flush, writeRows } from '../harness/cql-helpers.js';
import { nodetool } from '../harness/node-control.js';
import { acquireBackupLock, backupLockDir, type HeldBackupLock } from '../../src/ops/backup-lock.js';
import { parseListSnapshots } from '../../src/cassandra/list-snapshots.js';
import { backupBench, snapshotDirs, testNode, type BackupBench } from './backup-support.js';

const KS = 'medusa_purge_snap_it';

describe('purge clears stale medusa-* snapshots on a real node', () => {
  const node = testNode();
  const tag = `${process.pid}${Date.now().toString(36)}`;
  const kept = `kept${tag}`;
  const busy = `busy${tag}`;
  const crashed = `crashed${tag}`;
  const operator = `operator-${tag}`;
  let bench: BackupBench;
  let client: Client;
  let lock: HeldBackupLock | undefined;

  const snapshots = async (): Promise<string[]> => parseListSnapshots(await nodetool(node, ['listsnapshots']));
  const ok = (args: string[]): string => {
    const r = bench.run(args);
    assert.equal(r.status, 0, `medusa ${args.join(' ')}:\n${r.stdout}${r.stderr}`);
    return r.stderr;
  };

  before(async () => {
    bench = backupBench(node);
    client = connectCql([node]);
    await createKeyspace(client, KS);
    await createTable(client, KS, 'users');
    await writeRows(client, KS, 'users', 200);
    await flush(node, KS);
  });
  after(async () => {
    await lock?.release();
    for (const t of [`medusa-${kept}`, `medusa-${busy}`, `medusa-${crashed}`, operator]) {
      await nodetool(node, ['clearsnapshot', '-t', t]).catch(() => undefined);
    }
    await client.execute(`DROP KEYSPACE IF EXISTS ${KS}`).catch(() => undefined);
    await client.shutdown();
    bench.cleanup();
  });

  test('a crashed backup loses its snapshot; a kept one, a running backup and the operator keep theirs', async () => {
    ok(['backup', '--backup-name', kept, '--mode', 'differential', '--keep-snapshot']);
    assert.ok(snapshotDirs(node, `medusa-${kept}`).length > 0, '--keep-snapshot left the snapshot');

    // A backup in progress: its lock held by a live process (this one), its snapshot taken.
    const lockDir = backupLockDir({ MEDUSA_CACHE_DIR: join(bench.dir, 'cache') });
    lock = await acquireBackupLock(lockDir, bench.fqdn, busy);
    // A crashed backup: its lock names a process that is gone.
    const gone = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    const crashedLock = join(lockDir, `backup-${gone}-crashed.lock`);
    writeFileSync(crashedLock, JSON.stringify({ pid: gone, host: hostname(), fqdn: bench.fqdn, backupName: crashed }));
    for (const t of [`medusa-${busy}`, `medusa-${crashed}`, operator]) await nodetool(node, ['snapshot', '-t', t]);
    const before = await snapshots();
    for (const t of [`medusa-${kept}`, `medusa-${busy}`, `medusa-${crashed}`, operator]) assert.ok(before.includes(t), `${t} in ${before.join(', ')}`);

    const dry = ok(['purge', '--dry-run']);
    assert.match(dry, new RegExp(`INFO: Keeping snapshot medusa-${kept}: backup ${kept} of this node finished and kept its snapshot`));
    assert.match(dry, new RegExp(`INFO: Would clear snapshot medusa-${crashed}: `));
    assert.match(dry, new RegExp(`INFO: Keeping snapshot medusa-${busy}: backup ${busy} of ${bench.fqdn.replaceAll('.', '\\.')} is running \\(pid ${process.pid} `));
    assert.doesNotMatch(dry, new RegExp(operator));
    assert.deepEqual((await snapshots()).sort(), before.sort(), 'a dry run clears nothing');

    const real = ok(['purge']);
    assert.match(real, new RegExp(`INFO: Keeping snapshot medusa-${kept}: backup ${kept} of this node finished`));
    assert.match(real, new RegExp(`INFO: Cleared snapshot medusa-${crashed}: `));
    assert.match(real, new RegExp(`WARNING: Not cleaning up orphaned files for ${bench.fqdn.replaceAll('.', '\\.')}: backup ${busy} of `));
    const afterPurge = await snapshots();
    assert.ok(!afterPurge.includes(`medusa-${crashed}`), afterPurge.join(', '));
    assert.ok(afterPurge.includes(`medusa-${busy}`) && afterPurge.includes(`medusa-${kept}`) && afterPurge.includes(operator), afterPurge.join(', '));
    assert.deepEqual(snapshotDirs(node, `medusa-${crashed}`), [], 'gone from disk too');
    assert.equal(existsSync(crashedLock), false, "the crashed backup's lock file was removed");

    // The backup ends without clearing its snapshot (killed): the next purge clears it.
    await lock.release();
    lock = undefined;
    const next = ok(['purge']);
    assert.match(next, new RegExp(`INFO: Cleared snapshot medusa-${busy}: `));
    assert.doesNotMatch(next, /Not cleaning up orphaned files/);
    const end = await snapshots();
    assert.ok(!end.includes(`medusa-${busy}`) && end.includes(operator), end.join(', '));
  });
});
