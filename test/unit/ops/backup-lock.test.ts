/** Backup lock files (ops/backup-lock.ts): taken, read, judged by pid, released, cleaned up. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { acquireBackupLock, backupLockDir, probeProcess, readBackupLocks, removeDeadLocks } from '../../../src/ops/backup-lock.js';

const root = mkdtempSync(join(tmpdir(), 'medusa-backup-lock-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A pid that surely ran and is gone: a child that exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

test('the lock folder sits beside the hash cache', () => {
  assert.equal(backupLockDir({ MEDUSA_CACHE_DIR: '/var/cache/m' }), '/var/cache/m/backup-locks');
  assert.equal(backupLockDir({ XDG_CACHE_HOME: '/x', HOME: '/h' }), '/x/medusa-ts/backup-locks');
});

test('a held lock is read back as live with what it records, and goes on release', async () => {
  const dir = join(root, 'held');
  assert.deepEqual(await readBackupLocks(dir), [], 'a missing folder holds no locks');
  const lock = await acquireBackupLock(dir, 'n1', 'b 1');
  const views = await readBackupLocks(dir);
  assert.equal(views.length, 1);
  assert.equal(views[0]?.live, true);
  assert.equal(views[0]?.record?.pid, process.pid);
  assert.equal(views[0]?.record?.fqdn, 'n1');
  assert.equal(views[0]?.record?.backupName, 'b 1');
  assert.equal(views[0]?.record?.host, hostname());
  assert.deepEqual(readdirSync(dir), [lock.path.slice(dir.length + 1)], 'no temporary file is left');
  await lock.release();
  await lock.release();
  assert.deepEqual(await readBackupLocks(dir), []);
});

test('locks of exited processes and of reused pids are dead and removable; unreadable ones live', async () => {
  const dir = join(root, 'mixed');
  const mine = await acquireBackupLock(dir, 'n1', 'running');
  const gone = deadPid();
  const start = probeProcess(process.pid);
  assert.equal(start.kind, 'running');
  writeFileSync(join(dir, 'backup-1-crashed.lock'), JSON.stringify({ pid: gone, host: hostname(), fqdn: 'n1', backupName: 'crashed' }));
  writeFileSync(join(dir, 'backup-2-reused.lock'), JSON.stringify({ pid: process.pid, processStart: 'not-my-start', host: hostname(), fqdn: 'n1', backupName: 'reused' }));
  writeFileSync(join(dir, 'backup-3-elsewhere.lock'), JSON.stringify({ pid: gone, host: 'another-host', fqdn: 'n1', backupName: 'elsewhere' }));
  writeFileSync(join(dir, 'backup-4-garbage.lock'), '{"pid": ');
  writeFileSync(join(dir, 'not-a-lock.txt'), 'ignored');
  const views = await readBackupLocks(dir);
  const byName = new Map(views.map((v) => [v.record?.backupName ?? 'unreadable', v.live]));
  assert.deepEqual(Object.fromEntries(byName), { crashed: false, reused: false, elsewhere: true, unreadable: true, running: true });
  assert.equal(await removeDeadLocks(views), 2);
  const left = readdirSync(dir).sort();
  assert.deepEqual(left, ['backup-3-elsewhere.lock', 'backup-4-garbage.lock', mine.path.slice(dir.length + 1), 'not-a-lock.txt'].sort());
  await mine.release();
});

test('the probe reports an exited pid as gone', () => {
  assert.deepEqual(probeProcess(deadPid()), { kind: 'gone' });
});
