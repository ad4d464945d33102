/** Table tests of the pure stale-snapshot decisions (plan/stale-snapshots.ts). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decideSnapshots,
  lockIsLive,
  orphanCleanupBlocker,
  type BackupLockRecord,
  type LockView,
  type ProcessState,
} from '../../../src/plan/stale-snapshots.js';

const HOST = 'node1.example';

function record(over: Partial<BackupLockRecord> = {}): BackupLockRecord {
  return { pid: 100, processStart: '5000', host: HOST, fqdn: 'n1', backupName: 'b1', ...over };
}

function live(over: Partial<BackupLockRecord> = {}): LockView {
  return { file: `/locks/${over.backupName ?? 'b1'}.lock`, record: record(over), live: true };
}

describe('lockIsLive', () => {
  const cases: Array<{ name: string; lock: BackupLockRecord; probe: ProcessState; live: boolean }> = [
    { name: 'same pid, same start time', lock: record(), probe: { kind: 'running', start: '5000' }, live: true },
    { name: 'process gone', lock: record(), probe: { kind: 'gone' }, live: false },
    { name: 'pid reused by a later process', lock: record(), probe: { kind: 'running', start: '9999' }, live: false },
    { name: 'start time unknown to the probe', lock: record(), probe: { kind: 'running' }, live: true },
    { name: 'start time not recorded', lock: record({ processStart: undefined as unknown as string }), probe: { kind: 'running', start: '1' }, live: true },
    { name: 'lock of another host, even with its pid gone here', lock: record({ host: 'node2.example' }), probe: { kind: 'gone' }, live: true },
    { name: 'hold of another host before its expiry', lock: record({ host: 'orchestrator', expires: '2026-11-21T12:00:01Z' }), probe: { kind: 'gone' }, live: true },
    { name: 'hold of another host at its expiry', lock: record({ host: 'orchestrator', expires: '2026-11-21T12:00:00Z' }), probe: { kind: 'running', start: '5000' }, live: false },
    { name: 'expired, though its process runs here', lock: record({ expires: '2026-11-20T12:00:00Z' }), probe: { kind: 'running', start: '5000' }, live: false },
    { name: 'not expired, but its process is gone here', lock: record({ expires: '2026-11-22T12:00:00Z' }), probe: { kind: 'gone' }, live: false },
    { name: 'an expiry that cannot be read does not expire', lock: record({ host: 'orchestrator', expires: 'soon' }), probe: { kind: 'gone' }, live: true },
  ];
  const now = Date.parse('2026-11-21T12:00:00Z');
  for (const c of cases) {
    test(c.name, () => {
      const lock = c.lock.processStart === undefined ? { pid: c.lock.pid, host: c.lock.host, fqdn: c.lock.fqdn, backupName: c.lock.backupName } : c.lock;
      assert.equal(lockIsLive(lock, HOST, () => c.probe, now), c.live);
    });
  }
});

describe('decideSnapshots', () => {
  const cases: Array<{ name: string; tags: string[]; locks: LockView[]; clear: string[]; spared: string[] }> = [
    { name: 'no locks: every medusa-* snapshot goes', tags: ['medusa-b1', 'medusa-b2'], locks: [], clear: ['medusa-b1', 'medusa-b2'], spared: [] },
    { name: "other snapshots are the operator's", tags: ['nightly', 'b1', 'medusa', 'Medusa-b1', 'medusa-b1'], locks: [], clear: ['medusa-b1'], spared: [] },
    { name: 'a live lock spares its own snapshot only', tags: ['medusa-b1', 'medusa-b2'], locks: [live({ backupName: 'b2' })], clear: ['medusa-b1'], spared: ['medusa-b2'] },
    {
      name: 'a dead lock spares nothing',
      tags: ['medusa-b1'],
      locks: [{ ...live({ backupName: 'b1' }), live: false }],
      clear: ['medusa-b1'],
      spared: [],
    },
    { name: 'the lock matches the whole name (b1 does not hold medusa-b10)', tags: ['medusa-b1', 'medusa-b10'], locks: [live({ backupName: 'b1' })], clear: ['medusa-b10'], spared: ['medusa-b1'] },
    { name: 'a lock of another fqdn still spares its name', tags: ['medusa-b1'], locks: [live({ fqdn: 'other-node', backupName: 'b1' })], clear: [], spared: ['medusa-b1'] },
    { name: 'an unreadable lock spares every medusa-* snapshot', tags: ['medusa-b1', 'medusa-b2', 'x'], locks: [{ file: '/locks/bad.lock', live: true }], clear: [], spared: ['medusa-b1', 'medusa-b2'] },
    { name: 'duplicate tags count once; names with spaces', tags: ['medusa-a b', 'medusa-a b'], locks: [], clear: ['medusa-a b'], spared: [] },
    { name: 'the bare prefix names the backup with an empty name: nothing holds it', tags: ['medusa-'], locks: [live()], clear: ['medusa-'], spared: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const d = decideSnapshots(c.tags, c.locks);
      assert.deepEqual(d.clear, c.clear);
      assert.deepEqual(
        d.spared.map((s) => s.tag),
        c.spared,
      );
    });
  }

  test("a finished backup's snapshot was kept on purpose (--keep-snapshot): it stays, with the command that clears it", () => {
    const d = decideSnapshots(['medusa-b1', 'medusa-b10', 'medusa-b2'], [], new Set(['b1', 'b2']));
    assert.deepEqual(d.clear, ['medusa-b10']);
    assert.deepEqual(d.spared.map((s) => s.tag), ['medusa-b1', 'medusa-b2']);
    assert.match(d.spared[0]?.reason ?? '', /backup b1 of this node finished and kept its snapshot .*nodetool clearsnapshot -t medusa-b1$/);
  });

  test('a spared snapshot says which backup holds it', () => {
    const d = decideSnapshots(['medusa-b2'], [live({ backupName: 'b2', pid: 4242 })]);
    assert.match(d.spared[0]?.reason ?? '', /backup b2 of n1 is running \(pid 4242 on node1\.example/);
  });
});

describe('orphanCleanupBlocker', () => {
  const cases: Array<{ name: string; locks: LockView[]; blocked: boolean }> = [
    { name: 'no locks', locks: [], blocked: false },
    { name: 'a live backup of this node', locks: [live({ fqdn: 'n1' })], blocked: true },
    { name: 'a live backup of another node', locks: [live({ fqdn: 'n2' })], blocked: false },
    { name: 'a dead backup of this node', locks: [{ ...live({ fqdn: 'n1' }), live: false }], blocked: false },
    { name: 'an unreadable lock', locks: [{ file: '/locks/bad.lock', live: true }], blocked: true },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const reason = orphanCleanupBlocker('n1', c.locks);
      assert.equal(reason !== undefined, c.blocked, reason);
    });
  }
});
