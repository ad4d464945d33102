/**
 * A backup stopped through its AbortSignal, as the gRPC agent stops one on SIGTERM: the entry point
 * (ops/api/backup.ts) run in this process against the real harness node, aborted as its first
 * upload starts. The snapshot must be cleared, the backup lock released, no manifest written, and
 * every reporting command must show the backup incomplete. (Its own file: the backup lowers the
 * priority of the process it runs in.)
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Client } from 'cassandra-driver';
import { connectCql } from '../harness/cql-client.js';
import { createKeyspace, createTable, flush, writeRows } from '../harness/cql-helpers.js';
import { runBackup } from '../../src/ops/api/backup.js';
import { withSession, type ProgressReporter } from '../../src/ops/api/session.js';
import { OperationAbortedError } from '../../src/util/errors.js';
import { createLogger } from '../../src/util/logger.js';
import { backupBench, snapshotDirs, testNode, type BackupBench } from './backup-support.js';

const KS = 'medusa_backup_abort';

describe('a backup stopped through its AbortSignal on a real node', () => {
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

  test('snapshot cleared, lock released, no manifest, OperationAbortedError; reported incomplete', async () => {
    const cacheDir = join(bench.dir, 'cache');
    const stop = new AbortController();
    let started = 0;
    const progress: ProgressReporter = {
      begin: () => undefined,
      transferStarted: () => {
        started += 1;
        stop.abort(new Error('SIGTERM'));
      },
      bytesMoved: () => undefined,
      transferFinished: () => undefined,
      end: () => undefined,
    };
    const log = createLogger({ verbosity: 0, withoutTimestamp: true, write: () => undefined });
    // The `local` monitoring provider writes metrics.json in the working folder.
    const cwd = process.cwd();
    process.chdir(bench.dir);
    try {
      await assert.rejects(
        withSession(
          { configFile: bench.ini, env: { ...process.env, MEDUSA_CACHE_DIR: cacheDir } },
          (s) => runBackup(s, { backupName: 'stopped1', mode: 'full', enableMd5Checks: false, keepSnapshot: false, useExistingSnapshot: false }, { signal: stop.signal, progress }),
          { log },
        ),
        (err: unknown) => err instanceof OperationAbortedError && err.message === 'Backup stopped1 stopped: SIGTERM',
      );
    } finally {
      process.chdir(cwd);
    }
    assert.ok(started >= 1, 'the abort came during the uploads');
    assert.equal(existsSync(join(bench.bucketDir, bench.fqdn, 'stopped1', 'meta', 'manifest.json')), false, 'no manifest');
    assert.ok(existsSync(join(bench.bucketDir, bench.fqdn, 'stopped1', 'meta', 'schema.cql')), 'the backup had started');
    assert.deepEqual(snapshotDirs(node, 'medusa-stopped1'), [], 'snapshot cleared');
    const lockDir = join(cacheDir, 'backup-locks');
    assert.deepEqual(existsSync(lockDir) ? readdirSync(lockDir).filter((f) => f.endsWith('.lock')) : [], [], 'lock released');

    const list = bench.run(['list-backups']);
    assert.match(list.stdout, /^stopped1 \(started: .*, finished: Incomplete \[0 of 1 nodes finished\]\)$/m);
    assert.doesNotMatch(bench.run(['get-last-complete-cluster-backup']).stdout, /^stopped1$/m);
    // The name stays taken (its schema is stored), the next backup under another name runs.
    const next = bench.run(['backup', '--backup-name', 'after-stop', '--mode', 'full']);
    assert.equal(next.status, 0, next.stderr);
  });
});
