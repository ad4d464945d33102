// The agent's in-memory backup slot (src/agent/backup-runs.ts): one run at a time, reserved
// synchronously, outcomes remembered, abort reaches the work.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BackupRuns } from '../../../src/agent/backup-runs.js';

describe('BackupRuns', () => {
  test('one slot: a second reservation is refused until the first run has ended', async () => {
    const runs = new BackupRuns();
    const a = runs.reserve('a', 'n1', 'full', 1)!;
    assert.ok(a);
    assert.equal(runs.reserve('b', 'n1', 'full', 2), undefined);
    assert.equal(runs.current?.name, 'a');
    let finish!: () => void;
    runs.start(a, () => new Promise<void>((resolve) => (finish = resolve)));
    await new Promise((r) => setImmediate(r));
    assert.equal(runs.find('a', 'n1')?.state.kind, 'running');
    assert.equal(runs.reserve('b', 'n1', 'full', 2), undefined);
    finish();
    await a.done;
    assert.equal(runs.current, undefined);
    assert.equal(runs.find('a', 'n1')?.state.kind, 'succeeded');
    assert.ok(runs.reserve('b', 'n1', 'differential', 3));
  });

  test('cancel gives a refused reservation back; start without a reservation throws', () => {
    const runs = new BackupRuns();
    const a = runs.reserve('a', 'n1', 'full', 1)!;
    runs.cancel(a);
    assert.equal(runs.current, undefined);
    assert.equal(runs.find('a', 'n1'), undefined);
    assert.throws(() => runs.start(a, () => Promise.resolve()), /holds no reservation/);
  });

  test('a failure is recorded with its message; find is per node', async () => {
    const runs = new BackupRuns();
    const a = runs.reserve('a', 'n1', 'full', 1)!;
    runs.start(a, () => Promise.reject(new Error('disk full')));
    await a.done;
    assert.deepEqual(runs.find('a', 'n1')?.state, { kind: 'failed', error: 'disk full' });
    assert.equal(runs.find('a', 'n2'), undefined);
    runs.forget('a', 'n1');
    assert.equal(runs.find('a', 'n1'), undefined);
  });

  test('abort reaches the work through its signal and resolves once it has ended', async () => {
    const runs = new BackupRuns();
    const a = runs.reserve('a', 'n1', 'full', 1)!;
    let cleaned = false;
    runs.start(a, (signal) => new Promise<void>((_resolve, reject) => signal.addEventListener('abort', () => setTimeout(() => {
      cleaned = true;
      reject(signal.reason as Error);
    }, 10))));
    await new Promise((r) => setImmediate(r));
    await runs.abort('stopping');
    assert.equal(cleaned, true);
    assert.deepEqual(runs.find('a', 'n1')?.state, { kind: 'failed', error: 'stopping' });
    await runs.abort('nothing runs');
  });

  test('work started after an abort still gets the aborted signal', async () => {
    const runs = new BackupRuns();
    const a = runs.reserve('a', 'n1', 'full', 1)!;
    runs.start(a, (signal) => (signal.aborted ? Promise.reject(signal.reason as Error) : Promise.resolve()));
    await runs.abort('stopping early');
    assert.deepEqual(runs.find('a', 'n1')?.state, { kind: 'failed', error: 'stopping early' });
  });

  test('remembers the last 100 outcomes', async () => {
    const runs = new BackupRuns();
    for (let i = 0; i < 105; i++) {
      const r = runs.reserve(`b${i}`, 'n1', 'full', i)!;
      runs.start(r, () => Promise.resolve());
      await r.done;
    }
    assert.equal(runs.find('b4', 'n1'), undefined);
    assert.equal(runs.find('b5', 'n1')?.state.kind, 'succeeded');
    assert.equal(runs.find('b104', 'n1')?.state.kind, 'succeeded');
  });
});
