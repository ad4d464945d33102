/**
 * The hold commands run by a real `sh`, as on a host, and read back by the purge's lock reader:
 * the shell finds the same lock folder as `backupLockDir` for the same environment, a hold of
 * another host protects until it expires, and a hold that cannot be written does not fail the
 * command it prefixes.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { backupLockDir, readBackupLocks } from '../../../src/ops/backup-lock.js';
import { holdFileName, removeHoldCommand, writeHoldCommand } from '../../../src/ops/snapshot-hold.js';
import type { BackupLockRecord } from '../../../src/plan/stale-snapshots.js';

const scratch = mkdtempSync(join(tmpdir(), 'medusa-hold-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const record: BackupLockRecord = { pid: 4242, processStart: '77', host: 'orchestrator.example', fqdn: "n1.example 'quoted'", backupName: 'nightly $(touch x)', expires: '2026-11-23T00:00:00.000Z' };

/** Runs `command` in `sh -c` with exactly `env` (plus PATH); returns stderr. */
function sh(command: string, env: Record<string, string>): string {
  return execFileSync('sh', ['-c', `${command} 2>&1 >/dev/null`], { cwd: scratch, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env }, encoding: 'utf8' });
}

test('holds land where backupLockDir looks, for each way the folder is chosen, and go again', async () => {
  const envs: Array<Record<string, string>> = [
    { HOME: join(scratch, 'home1') },
    { HOME: join(scratch, 'home2'), XDG_CACHE_HOME: join(scratch, 'xdg') },
    { HOME: join(scratch, 'home3'), XDG_CACHE_HOME: join(scratch, 'xdg3'), MEDUSA_CACHE_DIR: join(scratch, 'cache dir') },
    { HOME: join(scratch, 'home4'), MEDUSA_CACHE_DIR: '' },
  ];
  for (const env of envs) {
    const name = holdFileName(record.pid);
    assert.equal(sh(writeHoldCommand(record, name), env), '');
    const dir = backupLockDir(env);
    assert.deepEqual(readdirSync(dir), [name], `one hold, no temporary file left, in ${dir}`);
    const before = await readBackupLocks(dir, { thisHost: 'n1', now: Date.parse('2026-11-22T00:00:00Z') });
    assert.deepEqual(before.map((v) => ({ record: v.record, live: v.live })), [{ record, live: true }]);
    const expired = await readBackupLocks(dir, { thisHost: 'n1', now: Date.parse('2026-11-23T00:00:00Z') });
    assert.equal(expired[0]?.live, false);
    sh(removeHoldCommand(name), env);
    assert.deepEqual(readdirSync(dir), []);
  }
  assert.deepEqual(readdirSync(scratch).filter((n) => n === 'x'), [], 'nothing in the record was run by the shell');
});

test('a hold that cannot be written says so on stderr and lets the snapshot command run', () => {
  const blocker = join(scratch, 'not-a-folder');
  writeFileSync(blocker, '');
  const run = spawnSync('sh', ['-c', `${writeHoldCommand(record, holdFileName(1))}; echo snapshot-ran`], {
    cwd: scratch,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: scratch, MEDUSA_CACHE_DIR: blocker },
    encoding: 'utf8',
  });
  assert.equal(run.status, 0);
  assert.equal(run.stdout.trim(), 'snapshot-ran');
  assert.match(run.stderr, /medusa: could not record the snapshot hold backup-hold-1-[0-9a-f]+\.lock; a purge here may clear the snapshot/);
});
