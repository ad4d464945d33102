/**
 * The local half of `purge` over fake ports: stale `medusa-*` snapshots cleared one log line each
 * (dry run: only named), running backups' snapshots kept, listing and clearing failures as
 * warnings; and on a memory bucket, the orphan cleanup skipped while a backup of the node runs
 * (checked again right before deleting).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CatalogContext } from '../../../src/catalog/catalog.js';
import { setLatestBackup, writeIndexFinish, writeIndexStart } from '../../../src/catalog/index-writer.js';
import { encodeManifest } from '../../../src/domain/manifest.js';
import { encodeTokenMap } from '../../../src/domain/tokenmap.js';
import { dataKey, metaKey } from '../../../src/layout/keys.js';
import type { LockView } from '../../../src/plan/stale-snapshots.js';
import { purge } from '../../../src/ops/purge.js';
import { clearStaleSnapshots, type BackupLocksPort, type SnapshotCleanupPort } from '../../../src/ops/purge-snapshots.js';
import { MemoryBackend } from '../../../src/storage/backends/memory.js';
import { exists, putText } from '../../../src/storage/helpers.js';
import { createLogger } from '../../../src/util/logger.js';
import { FakeClock } from '../../support/fake-clock.js';

const DAY_MS = 86_400_000;

function capture(): { log: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  return { log: createLogger({ verbosity: 1, withoutTimestamp: true, write: (l) => lines.push(l) }), lines };
}

function fakeSnapshots(tags: string[], failing: ReadonlySet<string> = new Set()): SnapshotCleanupPort & { cleared: string[] } {
  const cleared: string[] = [];
  return {
    cleared,
    list: () => Promise.resolve([...tags]),
    clear: (tag) => {
      if (failing.has(tag)) return Promise.reject(new Error('nodetool clearsnapshot failed (exit status 1)'));
      cleared.push(tag);
      return Promise.resolve();
    },
  };
}

function locksOf(views: LockView[]): BackupLocksPort & { reads: number } {
  const port = {
    reads: 0,
    read: () => {
      port.reads++;
      return Promise.resolve(views);
    },
  };
  return port;
}

const running = (backupName: string, fqdn = 'n1'): LockView => ({
  file: `/locks/${backupName}.lock`,
  record: { pid: 321, host: 'h', fqdn, backupName },
  live: true,
});

describe('clearStaleSnapshots', () => {
  test('clears the stale medusa-* snapshots, keeps the running backup and the others', async () => {
    const { log, lines } = capture();
    const snapshots = fakeSnapshots(['medusa-old', 'medusa-now', 'weekly']);
    const result = await clearStaleSnapshots({ log, snapshots, locks: locksOf([running('now')]) }, { dryRun: false });
    assert.deepEqual(snapshots.cleared, ['medusa-old']);
    assert.deepEqual(result.cleared, ['medusa-old']);
    assert.deepEqual(result.spared, ['medusa-now']);
    assert.ok(lines.includes('INFO: Cleared snapshot medusa-old: no backup holding it is running'), lines.join('\n'));
    assert.ok(lines.some((l) => /^INFO: Keeping snapshot medusa-now: backup now of n1 is running \(pid 321/.test(l)), lines.join('\n'));
  });

  test("finished backups' snapshots stay; their names are asked for after snapshots and locks are read", async () => {
    const { log, lines } = capture();
    const order: string[] = [];
    const snapshots = fakeSnapshots(['medusa-done', 'medusa-crashed']);
    const locks = locksOf([]);
    const result = await clearStaleSnapshots({ log, snapshots, locks }, {
      dryRun: false,
      finishedBackups: () => {
        order.push(`finished asked after ${locks.reads} lock read(s)`);
        return Promise.resolve(new Set(['done']));
      },
    });
    assert.deepEqual(order, ['finished asked after 1 lock read(s)']);
    assert.deepEqual(snapshots.cleared, ['medusa-crashed']);
    assert.deepEqual(result.spared, ['medusa-done']);
    assert.ok(lines.some((l) => l.startsWith('INFO: Keeping snapshot medusa-done: backup done of this node finished')), lines.join('\n'));
  });

  test('a dry run only names them', async () => {
    const { log, lines } = capture();
    const snapshots = fakeSnapshots(['medusa-old']);
    const result = await clearStaleSnapshots({ log, snapshots, locks: locksOf([]) }, { dryRun: true });
    assert.deepEqual(snapshots.cleared, []);
    assert.deepEqual(result.cleared, ['medusa-old']);
    assert.ok(lines.includes('INFO: Would clear snapshot medusa-old: no backup holding it is running'), lines.join('\n'));
  });

  test('the snapshots are listed before the locks are read', async () => {
    const order: string[] = [];
    const { log } = capture();
    await clearStaleSnapshots(
      {
        log,
        snapshots: { list: () => (order.push('list'), Promise.resolve([])), clear: () => Promise.resolve() },
        locks: { read: () => (order.push('locks'), Promise.resolve([])) },
      },
      { dryRun: false },
    );
    assert.deepEqual(order, ['list', 'locks']);
  });

  test('nodetool failures cost a warning, not the purge', async () => {
    const { log, lines } = capture();
    const noNodetool: SnapshotCleanupPort = { list: () => Promise.reject(new Error('spawn nodetool ENOENT')), clear: () => Promise.resolve() };
    const skipped = await clearStaleSnapshots({ log, snapshots: noNodetool, locks: locksOf([]) }, { dryRun: false });
    assert.equal(skipped.skipped, 'spawn nodetool ENOENT');
    assert.ok(lines.some((l) => l.startsWith("WARNING: Cannot check the node's snapshots") && l.includes('ENOENT')), lines.join('\n'));

    const failing = fakeSnapshots(['medusa-a', 'medusa-b'], new Set(['medusa-a']));
    const partial = await clearStaleSnapshots({ log, snapshots: failing, locks: locksOf([]) }, { dryRun: false });
    assert.deepEqual(partial.failed, ['medusa-a']);
    assert.deepEqual(partial.cleared, ['medusa-b']);
  });

  test('dead lock files are removed after a real run only', async () => {
    const { log } = capture();
    const dead: LockView = { ...running('gone'), live: false };
    let removed = 0;
    const locks: BackupLocksPort = { read: () => Promise.resolve([dead]), removeDead: (v) => Promise.resolve((removed += v.filter((x) => !x.live).length)) };
    await clearStaleSnapshots({ log, snapshots: fakeSnapshots([]), locks }, { dryRun: true });
    assert.equal(removed, 0);
    await clearStaleSnapshots({ log, snapshots: fakeSnapshots([]), locks }, { dryRun: false });
    assert.equal(removed, 1);
  });
});

describe('purge with a backup of the node running on this host', () => {
  const FQDN = 'n1';
  const TABLE = 'users-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1';
  const TOKENMAP = encodeTokenMap(new Map([[FQDN, { tokens: [0n], is_up: true, rack: 'r1', dc: 'dc1' }]]));

  /** One complete differential backup naming pool object `kept`, plus an old unreferenced `orphan`. */
  async function bucket(): Promise<{ ctx: CatalogContext & { clock: FakeClock }; kept: string; orphan: string }> {
    const clock = new FakeClock({ start: Date.UTC(2026, 0, 1), autoAdvance: false });
    const storage = new MemoryBackend({ clock });
    const ctx = { storage, layout: {}, log: createLogger({ verbosity: 0, withoutTimestamp: true, write: () => undefined }), clock };
    const kept = dataKey(ctx.layout, FQDN, 'b1', true, 'ks', TABLE, 'nb-1-big-Data.db');
    const orphan = dataKey(ctx.layout, FQDN, 'b1', true, 'ks', TABLE, 'nb-0-big-Data.db');
    await putText(storage, orphan, 'compacted away');
    const info = await putText(storage, kept, 'live data');
    const started = Math.floor(clock.now() / 1000);
    await putText(storage, metaKey(ctx.layout, FQDN, 'b1', 'schema.cql'), 'CREATE KEYSPACE ks;');
    await putText(storage, metaKey(ctx.layout, FQDN, 'b1', 'tokenmap.json'), TOKENMAP);
    await putText(storage, metaKey(ctx.layout, FQDN, 'b1', 'differential'), 'differential');
    await writeIndexStart(ctx, { name: 'b1', fqdn: FQDN, started, differential: true, tokenmapText: TOKENMAP, schemaText: 'CREATE KEYSPACE ks;' });
    const manifest = encodeManifest([{ keyspace: 'ks', columnfamily: TABLE, objects: [{ path: kept, MD5: info.hash ?? null, size: info.size }] }]);
    await putText(storage, metaKey(ctx.layout, FQDN, 'b1', 'manifest.json'), manifest);
    await writeIndexFinish(ctx, { name: 'b1', fqdn: FQDN, finished: started + 60, manifestText: manifest });
    await setLatestBackup(ctx, { name: 'b1', fqdn: FQDN, tokenmapText: TOKENMAP });
    clock.advance(30 * DAY_MS);
    return { ctx, kept, orphan };
  }

  const options = { fqdn: FQDN, policy: { maxBackupAgeDays: 0, maxBackupCount: 5 }, graceDays: 10, dryRun: false };

  test('without a running backup the orphan goes', async () => {
    const { ctx, kept, orphan } = await bucket();
    const locks = locksOf([running('other-node-backup', 'n2')]);
    const report = await purge({ ...ctx, backupLocks: locks }, options);
    assert.equal(report.totals.nbObjectsPurged, 1);
    assert.equal(await exists(ctx.storage, orphan), false);
    assert.equal(await exists(ctx.storage, kept), true);
  });

  test('a running backup of the node keeps the orphan, with a warning naming it', async () => {
    const { ctx, orphan } = await bucket();
    const { log, lines } = capture();
    const report = await purge({ ...ctx, log, backupLocks: locksOf([running('b2')]) }, options);
    assert.equal(report.totals.nbObjectsPurged, 0);
    assert.equal(await exists(ctx.storage, orphan), true);
    assert.ok(lines.some((l) => /^WARNING: Not cleaning up orphaned files for n1: backup b2 of n1 is running \(pid 321/.test(l)), lines.join('\n'));
  });

  test('a backup that starts after the plan is seen before the orphans are deleted', async () => {
    const { ctx, orphan } = await bucket();
    const { log, lines } = capture();
    const views: LockView[] = [];
    const locks: BackupLocksPort = {
      read: () => {
        // First read (plan): nothing runs; the backup starts right after it.
        const now = [...views];
        views.push(running('b2'));
        return Promise.resolve(now);
      },
    };
    const report = await purge({ ...ctx, log, backupLocks: locks }, options);
    assert.equal(report.totals.nbObjectsPurged, 0);
    assert.equal(await exists(ctx.storage, orphan), true);
    assert.ok(lines.some((l) => l.startsWith('WARNING: Not cleaning up orphaned files for n1: backup b2 of n1 is running')), lines.join('\n'));
  });
});
