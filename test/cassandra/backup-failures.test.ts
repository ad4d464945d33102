/**
 * Failure paths of `medusa backup` on the real harness node: a failing `nodetool snapshot`, an
 * existing backup name, and a process killed (SIGKILL) in the middle of its uploads, which every
 * reporting command must show as incomplete.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Client } from 'cassandra-driver';
import { connectCql } from '../harness/cql-client.js';
import { createKeyspace, createTable, flush, tableDirs, writeRows } from '../harness/cql-helpers.js';
import { nodetool } from '../harness/node-control.js';
import { MEDUSA_BIN } from '../support/cli.js';
import { backupBench, snapshotDirs, testNode, type BackupBench } from './backup-support.js';

const KS = 'medusa_backup_fail';

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
}

describe('medusa backup failures on a real node', () => {
  const node = testNode();
  let client: Client;
  let bench: BackupBench;

  before(async () => {
    client = connectCql([node]);
    await createKeyspace(client, KS);
    await createTable(client, KS, 'items');
    await writeRows(client, KS, 'items', 200);
    await flush(node, KS);
    bench = backupBench(node);
  });
  after(async () => {
    await client.execute(`DROP KEYSPACE IF EXISTS ${KS}`).catch(() => undefined);
    await client.shutdown();
    bench.cleanup();
  });

  test('a failing nodetool snapshot: exit 1, no manifest, clearsnapshot still called, backup incomplete', () => {
    const log = join(bench.dir, 'nodetool-calls.log');
    const script = join(bench.dir, 'failing-nodetool');
    writeFileSync(script, [
      '#!/bin/bash',
      `echo "$*" >> '${log}'`,
      'for a in "$@"; do if [ "$a" = snapshot ]; then echo "error: JMX refused the snapshot" >&2; exit 1; fi; done',
      `exec '${node.bin.nodetool}' "$@"`,
      '',
    ].join('\n'));
    chmodSync(script, 0o755);
    const failing = backupBench(node, { nodetool: script });
    try {
      const r = failing.run(['backup', '--backup-name', 'snapfail']);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /nodetool snapshot -t medusa-snapfail failed \(exit status 1\): error: JMX refused the snapshot/);
      assert.equal(existsSync(join(failing.bucketDir, failing.fqdn, 'snapfail', 'meta', 'manifest.json')), false);
      assert.match(readFileSync(log, 'utf8'), /clearsnapshot -t medusa-snapfail/);
      const list = failing.run(['list-backups']);
      assert.match(list.stdout, /snapfail .*Incomplete/);
    } finally {
      failing.cleanup();
    }
  });

  test('an existing backup name: exit 1 with a clear message, nothing written', () => {
    const first = bench.run(['backup', '--backup-name', 'twice']);
    assert.equal(first.status, 0, first.stderr);
    const before = listFiles(bench.bucketDir);
    const again = bench.run(['backup', '--backup-name', 'twice']);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /ERROR: Backup twice already exists for /);
    assert.deepEqual(listFiles(bench.bucketDir), before);
    assert.deepEqual(snapshotDirs(node, 'medusa-twice'), []);
  });

  test('killed with SIGKILL in the middle of its uploads: list-backups, status and verify report it incomplete', async () => {
    // A large file in our table's snapshot keeps the upload busy long enough to be interrupted.
    const tag = 'killed1';
    await nodetool(node, ['snapshot', '-t', tag, KS]);
    // With several data directories, only some of the table's folders hold a snapshot folder.
    const snapshotDir = snapshotDirs(node, tag).find((d) => tableDirs(node, KS, 'items').some((t) => d.startsWith(`${t}/`)));
    assert.ok(snapshotDir, 'snapshot folder of the table');
    const big = join(snapshotDir, 'nb-999-big-Data.db');
    writeFileSync(big, '');
    truncateSync(big, 1536 * 1024 * 1024);
    try {
      const child = spawn(MEDUSA_BIN, ['--config-file', bench.ini, 'backup', '--backup-name', tag, '--use-existing-snapshot', '--mode', 'full'], {
        stdio: 'ignore', env: { ...process.env, MEDUSA_CACHE_DIR: join(bench.dir, 'cache') },
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const dataDir = join(bench.bucketDir, bench.fqdn, tag, 'data');
      const deadline = Date.now() + 120_000;
      while (!existsSync(dataDir) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(existsSync(dataDir), 'uploads started within 120 s');
      child.kill('SIGKILL');
      await exited;
      assert.equal(existsSync(join(bench.bucketDir, bench.fqdn, tag, 'meta', 'manifest.json')), false, 'killed before the manifest');

      const list = bench.run(['list-backups']);
      assert.match(list.stdout, new RegExp(`^${tag} \\(started: .*, finished: Incomplete \\[0 of 1 nodes finished\\]\\)$`, 'm'));
      const status = bench.run(['status', '--backup-name', tag]);
      assert.match(status.stdout, new RegExp(`${tag} \\[Incomplete!\\]`));
      const verify = bench.run(['verify', '--backup-name', tag]);
      assert.equal(verify.status, 1);
      assert.match(verify.stdout, /- Completion: Not complete!/);
      const json = bench.run(['list-backups', '--output', 'json']);
      assert.equal(json.status, 0, json.stderr);
      assert.doesNotMatch(bench.run(['get-last-complete-cluster-backup']).stdout, new RegExp(`^${tag}$`, 'm'));
    } finally {
      await nodetool(node, ['clearsnapshot', '-t', tag]);
    }
  });
});
