/**
 * The entry points a face calls (src/ops/api/), through a real session: a medusa.ini for the local
 * provider read afresh per session with the face's overrides, over fixture buckets. They answer
 * with typed data, emit progress to the face's reporter and stop on its signal.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { backupStatus, backupTokenmap, BackupNotFoundError, lastCompleteClusterBackup, listBackups } from '../../../src/ops/api/backups.js';
import { forwardedSessionGlobals } from '../../../src/ops/api/backup-cluster.js';
import { runDownload } from '../../../src/ops/api/download.js';
import { runReportLastBackup } from '../../../src/ops/api/report-last-backup.js';
import { withSession, type ProgressReporter, type SessionSource, type TransferBatch } from '../../../src/ops/api/session.js';
import { OperationAbortedError } from '../../../src/util/errors.js';
import { createLogger } from '../../../src/util/logger.js';
import { scratchDir, writeLocalIni } from '../../support/cli.js';
import { FakeClock } from '../../support/fake-clock.js';
import { writeFixtureBucket, type FixtureNodeBackup } from '../../support/fixture-bucket.js';

const tokenmap = { n1: { tokens: [10n], isUp: true, rack: 'r1', dc: 'dc1' }, n2: { tokens: [-5n], isUp: true, rack: 'r1', dc: 'dc1' } };
const nb = (name: string, fqdn: string, finished: number | undefined, started = 1_700_000_000): FixtureNodeBackup => ({
  name,
  fqdn,
  mode: 'differential',
  started,
  ...(finished !== undefined ? { finished } : {}),
  tokenmap,
  sections: [{ keyspace: 'ks', columnfamily: 't-0123', objects: [{ file: `nb-1-big-Data.db`, content: 'x' }] }],
});

const quiet = createLogger({ verbosity: 0, withoutTimestamp: true, write: () => undefined });
let scratch: ReturnType<typeof scratchDir>;
let source: SessionSource;
const writeIni = (bucket: string): string => writeLocalIni(scratch.dir, { basePath: join(scratch.dir, 'base'), bucket, fqdn: 'n1' });

before(() => {
  scratch = scratchDir('medusa-api-session-');
  const base = join(scratch.dir, 'base');
  writeFixtureBucket(base, 'bucket', { nodeBackups: [nb('b1', 'n1', 1_700_000_100), nb('b1', 'n2', 1_700_000_100), nb('b2', 'n1', 1_700_000_200, 1_700_000_150), nb('b2', 'n2', undefined, 1_700_000_150)] });
  writeFixtureBucket(base, 'other', { nodeBackups: [nb('c1', 'n1', 1_700_000_300)] });
  source = { configFile: writeIni('bucket'), env: { MEDUSA_CACHE_DIR: join(scratch.dir, 'cache') } };
});
after(() => scratch.cleanup());

const names = (bs: ReadonlyArray<{ name: string }>): string[] => bs.map((b) => b.name);

describe('ops/api through a session', () => {
  test("the configuration is read for each session, with the face's overrides", async () => {
    assert.deepEqual(names(await withSession(source, (s) => listBackups(s, { showAll: true }), { log: quiet })), ['b1', 'b2']);
    const other = { ...source, overrides: { bucket_name: 'other' } };
    assert.deepEqual(names(await withSession(other, (s) => listBackups(s, { showAll: true }), { log: quiet })), ['c1']);
    // A long-running face sees a changed medusa.ini at its next operation.
    writeIni('other');
    try {
      assert.deepEqual(names(await withSession(source, (s) => listBackups(s, { showAll: true }), { log: quiet })), ['c1']);
    } finally {
      writeIni('bucket');
    }
    // Only the backups this node took part in, unless all are asked for.
    const n2 = { ...source, overrides: { fqdn: 'n2' } };
    assert.deepEqual(names(await withSession(n2, (s) => listBackups(s, { showAll: false }), { log: quiet })), ['b1', 'b2']);
  });

  test("cluster commands forward the session's config file, bucket and prefix to each host's medusa", async () => {
    const overridden = { ...source, overrides: { bucket_name: 'bucket', prefix: 'p', fqdn: 'n2' } };
    await withSession(overridden, (s) => {
      assert.deepEqual(forwardedSessionGlobals(s), [`--config-file=${source.configFile!}`, '--bucket-name=bucket', '--prefix=p']);
      assert.deepEqual(forwardedSessionGlobals(s, '/etc/remote.ini'), ['--config-file=/etc/remote.ini', '--bucket-name=bucket', '--prefix=p']);
      return Promise.resolve();
    }, { log: quiet });
  });

  test('the read-only questions answer with data', async () => {
    await withSession(source, async (s) => {
      const b2 = await backupStatus(s, 'b2');
      assert.equal(b2.backup.complete, false);
      assert.deepEqual(b2.backup.incompleteNodes.map((n) => n.fqdn), ['n2']);
      assert.deepEqual(b2.nodes.map((n) => [n.nodeBackup.fqdn, n.numObjects]), [['n1', 1], ['n2', 0]]);
      assert.deepEqual([...(await backupTokenmap(s, 'b1')).keys()], ['n1', 'n2']);
      assert.equal((await lastCompleteClusterBackup(s))?.name, 'b1');
      await assert.rejects(backupStatus(s, 'nope'), BackupNotFoundError);
    }, { log: quiet });
  });

  test('report-last-backup returns what it found', async () => {
    const clock = new FakeClock({ start: 1_700_001_000_000 });
    const report = await withSession(source, (s) => runReportLastBackup(s, { pushMetrics: false }), { log: quiet, clock });
    assert.deepEqual(report, {
      node: { name: 'b2', secondsAgo: 800, finished: 1_700_000_200 },
      latestComplete: { name: 'b1', secondsAgo: 900, finished: 1_700_000_100 },
      latest: { name: 'b2', complete: false, completeNodes: 1, incompleteNodes: ['n2'], missingNodes: [], size: 1, files: 1 },
    });
  });

  test('download: progress is told the batch; an aborted signal stops it with OperationAbortedError', async () => {
    const events: string[] = [];
    const progress: ProgressReporter = {
      begin: (b: TransferBatch) => void events.push(`begin ${b.direction} ${b.files} files ${b.bytes} bytes`),
      transferStarted: () => void events.push('started'),
      bytesMoved: () => undefined,
      transferFinished: (_n, ok) => void events.push(`finished ${ok}`),
      end: () => void events.push('end'),
    };
    const dest = join(scratch.dir, 'download');
    mkdirSync(dest);
    const result = await withSession(source, (s) => runDownload(s, { backupName: 'b1', destination: dest, filter: { keyspaces: [], tables: [] } }, { progress }), { log: quiet });
    assert.equal(result.summary.filesDownloaded, 1);
    assert.deepEqual(events, ['begin download 1 files 1 bytes', 'started', 'finished true', 'end']);

    const stopped = join(scratch.dir, 'stopped');
    mkdirSync(stopped);
    await assert.rejects(
      withSession(source, (s) => runDownload(s, { backupName: 'b1', destination: stopped, filter: { keyspaces: [], tables: [] } }, { signal: AbortSignal.abort(new Error('SIGTERM')) }), { log: quiet }),
      (e: unknown) => e instanceof OperationAbortedError && e.message === 'Download stopped: SIGTERM',
    );
    assert.deepEqual(readdirSync(stopped), [], 'nothing downloaded, no metadata either');
  });
});
