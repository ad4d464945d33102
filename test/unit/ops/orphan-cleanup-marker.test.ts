/**
 * The purge/backup handshake around the orphan cleanup (ops/orphan-cleanup-marker.ts,
 * ops/purge-snapshots.ts `orphanPermitFor`, backupNode's `beforePoolListing`): a purge marks its
 * cleanup before it looks for backups; a differential backup waits for such marks before it lists
 * the pool; a purge with a permit holds its mark exactly while it deletes orphans.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { after, describe, test } from 'node:test';
import type { SnapshotPort } from '../../../src/cassandra/types.js';
import { backupNode } from '../../../src/ops/backup-node.js';
import { holdOrphanCleanupMarker, readOrphanCleanupMarkers, waitForOrphanCleanups } from '../../../src/ops/orphan-cleanup-marker.js';
import { orphanPermitFor } from '../../../src/ops/purge-snapshots.js';
import type { LockView } from '../../../src/plan/stale-snapshots.js';
import { MemoryBackend } from '../../../src/storage/backends/memory.js';
import type { ListOptions, ObjectInfo } from '../../../src/storage/types.js';
import type { Clock } from '../../../src/util/clock.js';
import { OperationError } from '../../../src/util/errors.js';
import { createLogger } from '../../../src/util/logger.js';

const root = mkdtempSync(join(tmpdir(), 'medusa-orphan-marker-'));
after(() => rmSync(root, { recursive: true, force: true }));

function capture(): { log: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  return { log: createLogger({ verbosity: 0, withoutTimestamp: true, write: (l) => lines.push(l) }), lines };
}

/** A clock whose `sleep` advances time and runs `onSleep` (so a test can act "meanwhile"). */
function steppingClock(onSleep: (n: number) => Promise<void> | void = () => undefined): Clock & { sleeps: number } {
  let now = 0;
  const clock = {
    sleeps: 0,
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
      clock.sleeps++;
      await onSleep(clock.sleeps);
    },
  };
  return clock;
}

describe('orphan cleanup markers', () => {
  test('held, read back as live for its node, gone on release; dead and unreadable ones', async () => {
    const dir = join(root, 'read');
    assert.deepEqual(await readOrphanCleanupMarkers(dir), []);
    const held = await holdOrphanCleanupMarker(dir, 'n1');
    const gone = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    writeFileSync(join(dir, 'purge-1-dead.purging'), JSON.stringify({ pid: gone, host: hostname(), fqdn: 'n1' }));
    writeFileSync(join(dir, 'purge-2-bad.purging'), 'not json');
    writeFileSync(join(dir, 'backup-3-x.lock'), '{}');
    const views = await readOrphanCleanupMarkers(dir);
    const seen = views.map((v) => `${v.record?.fqdn ?? '?'} ${v.record?.pid ?? 0} ${v.live ? 'live' : 'dead'}`).sort();
    assert.deepEqual(seen, [`? 0 live`, `n1 ${gone} dead`, `n1 ${process.pid} live`].sort());
    await held.release();
    assert.equal(readdirSync(dir).filter((n) => n.startsWith('purge-') && n.includes(String(process.pid))).length, 0);
  });

  test('a backup waits while a purge cleans its node, not for other nodes or dead purges', async () => {
    const dir = join(root, 'wait');
    mkdirSync(dir, { recursive: true });
    const other = await holdOrphanCleanupMarker(dir, 'n2');
    const gone = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    writeFileSync(join(dir, 'purge-1-dead.purging'), JSON.stringify({ pid: gone, host: hostname(), fqdn: 'n1' }));
    const idle = steppingClock();
    await waitForOrphanCleanups(dir, 'n1', { log: capture().log, clock: idle });
    assert.equal(idle.sleeps, 0, 'nothing to wait for');

    const mine = await holdOrphanCleanupMarker(dir, 'n1');
    const { log, lines } = capture();
    const clock = steppingClock(async (n) => {
      if (n === 3) await mine.release();
    });
    await waitForOrphanCleanups(dir, 'n1', { log, clock, pollMs: 500 });
    assert.equal(clock.sleeps, 3);
    assert.deepEqual(lines, [`INFO: Waiting before listing the stored files of n1: a purge (pid ${process.pid}) is deleting orphaned files of n1`]);
    await other.release();
  });

  test('the wait is bounded', async () => {
    const dir = join(root, 'timeout');
    const held = await holdOrphanCleanupMarker(dir, 'n1');
    await assert.rejects(
      waitForOrphanCleanups(dir, 'n1', { log: capture().log, clock: steppingClock(), timeoutMs: 5000, pollMs: 1000 }),
      (err: unknown) => err instanceof OperationError && /after waiting 5 s: a purge \(pid \d+\) is deleting orphaned files of n1/.test(err.message),
    );
    await held.release();
  });
});

describe('orphanPermitFor', () => {
  const running: LockView = { file: '/l/b.lock', record: { pid: 9, host: 'h', fqdn: 'n1', backupName: 'b9' }, live: true };

  test('marks first, then looks; a running backup refuses and unmarks', async () => {
    const events: string[] = [];
    const markers = { hold: (fqdn: string) => (events.push(`hold ${fqdn}`), Promise.resolve({ release: () => (events.push('release'), Promise.resolve()) })) };
    const busy = { read: () => (events.push('read locks'), Promise.resolve([running])) };
    const refused = await orphanPermitFor(busy, markers, 'n1')();
    assert.match(refused.refused ?? '', /backup b9 of n1 is running/);
    assert.deepEqual(events, ['hold n1', 'read locks', 'release']);

    events.length = 0;
    const free = { read: () => (events.push('read locks'), Promise.resolve([])) };
    const permit = await orphanPermitFor(free, markers, 'n1')();
    assert.equal(permit.refused, undefined);
    assert.deepEqual(events, ['hold n1', 'read locks'], 'the mark stays while the orphans go');
    await permit.release();
    assert.deepEqual(events, ['hold n1', 'read locks', 'release']);
  });

  test('a mark that cannot be written refuses the cleanup', async () => {
    const markers = { hold: () => Promise.reject(new Error('EROFS: read-only file system')) };
    const permit = await orphanPermitFor({ read: () => Promise.resolve([]) }, markers, 'n1')();
    assert.match(permit.refused ?? '', /cannot mark the cleanup .*EROFS/);
  });
});

describe('backupNode and beforePoolListing', () => {
  /** Records `list` calls in `events`. */
  class ListRecording extends MemoryBackend {
    constructor(private readonly events: string[]) {
      super();
    }
    override list(prefix: string, options?: ListOptions): AsyncIterable<ObjectInfo> {
      this.events.push(`list ${prefix}`);
      return super.list(prefix, options);
    }
  }

  const snapshotDir = join(root, 'snap', 'ks', 't-1', 'snapshots');
  const snapshots: SnapshotPort = {
    dataDirs: [join(root, 'snap')],
    exists: () => Promise.resolve(false),
    create: (tag) => {
      mkdirSync(join(snapshotDir, tag), { recursive: true });
      writeFileSync(join(snapshotDir, tag, 'nb-1-big-Data.db'), 'data');
      return Promise.resolve();
    },
    clear: () => Promise.resolve(),
    tables: (tag) =>
      Promise.resolve([{ keyspace: 'ks', tableDir: 't-1', files: [{ relativePath: 'nb-1-big-Data.db', path: join(snapshotDir, tag, 'nb-1-big-Data.db'), size: 4 }] }]),
  };
  const metadata = {
    read: () =>
      Promise.resolve({
        schema: 'CREATE KEYSPACE ks;',
        tokenmap: new Map([['n1', { tokens: [0n], is_up: true, rack: 'r1', dc: 'dc1' }]]),
        serverVersion: { server_type: 'cassandra', release_version: '5.0.9' },
      }),
  };

  for (const mode of ['differential', 'full'] as const) {
    test(`${mode}: ${mode === 'differential' ? 'awaited right before the pool is listed' : 'not asked (nothing is reused)'}`, async () => {
      const events: string[] = [];
      const storage = new ListRecording(events);
      const { log } = capture();
      await backupNode(
        {
          storage, layout: {}, log, fqdn: 'n1', clock: steppingClock(), snapshots, metadata,
          concurrentTransfers: 1, md5CheckConcurrency: 1, multipartChunksize: 8 * 1024 * 1024,
          beforePoolListing: () => (events.push('wait'), Promise.resolve()),
        },
        { backupName: `b-${mode}`, mode, checkHashes: false, keepSnapshot: false, useExistingSnapshot: false },
      );
      const pool = events.indexOf('list n1/data/');
      if (mode === 'differential') {
        assert.ok(pool > 0 && events[pool - 1] === 'wait', events.join(', '));
      } else {
        assert.ok(!events.includes('wait'), events.join(', '));
      }
    });
  }
});
