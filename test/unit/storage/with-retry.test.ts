import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { MemoryBackend } from '../../../src/storage/backends/memory.js';
import { NotFoundError, PermissionError, TransientStorageError } from '../../../src/storage/errors.js';
import { withRetry } from '../../../src/storage/wrappers/with-retry.js';
import type { RetryEvent } from '../../../src/storage/wrappers/retry-policy.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FaultyBackend } from '../../support/faulty-storage.js';
import { listKeys, readAll } from '../../conformance/storage-suite.js';

const transient = (retryAfterMs?: number) => () =>
  new TransientStorageError('injected: 503 Slow Down', retryAfterMs === undefined ? {} : { retryAfterMs });

function setup() {
  const clock = new FakeClock();
  const memory = new MemoryBackend();
  const faulty = new FaultyBackend(memory);
  const events: RetryEvent[] = [];
  const backend = withRetry(faulty, { clock, random: () => 1, onRetry: (e) => events.push(e) });
  return { clock, memory, faulty, backend, events };
}

describe('withRetry', () => {
  test('a permanent error is not retried', async () => {
    const { faulty, backend, clock } = setup();
    faulty.inject({ operation: 'put', error: () => new PermissionError('denied') });
    await assert.rejects(backend.put('k', { kind: 'bytes', data: Buffer.from('x') }), PermissionError);
    assert.equal(faulty.calls.put, 1);
    await assert.rejects(backend.get('missing'), NotFoundError);
    assert.equal(faulty.calls.get, 1);
    assert.deepEqual(clock.sleeps, []);
  });

  test('transient errors are retried with exponential backoff, then surface after maxAttempts', async () => {
    const { faulty, backend, clock, events } = setup();
    faulty.inject({ operation: 'stat', times: 10, error: transient() });
    await assert.rejects(backend.stat('k'), TransientStorageError);
    assert.equal(faulty.calls.stat, 5);
    assert.deepEqual(clock.sleeps, [1000, 2000, 4000, 8000]);
    assert.deepEqual(events.map((e) => [e.operation, e.target, e.attempt]), [['stat', 'k', 1], ['stat', 'k', 2], ['stat', 'k', 3], ['stat', 'k', 4]]);
  });

  test('backoff is capped, jitter only shortens, and a server retry-after hint is honoured', async () => {
    const clock = new FakeClock();
    const faulty = new FaultyBackend(new MemoryBackend());
    const backend = withRetry(faulty, { clock, random: () => 0, maxAttempts: 8, maxDelayMs: 5000 });
    faulty.inject({ operation: 'delete', times: 6, error: transient() });
    faulty.inject({ operation: 'delete', times: 1, error: transient(42_000) });
    await backend.delete('k');
    assert.deepEqual(clock.sleeps, [500, 1000, 2000, 2500, 2500, 2500, 42_000]);
  });

  test('a put reopens its source on every attempt, even after part of it was read', async () => {
    const { faulty, backend, memory } = setup();
    let opens = 0;
    const data = Buffer.alloc(200_000, 7);
    faulty.inject({ operation: 'put', point: 'during', times: 2, error: transient() });
    const info = await backend.put('k', { kind: 'stream', size: data.length, open: () => (opens++, Readable.from([data.subarray(0, 100_000), data.subarray(100_000)])) });
    assert.equal(opens, 3);
    assert.equal(info.size, data.length);
    assert.ok((await readAll(await memory.get('k'))).equals(data));
  });

  test('a download that breaks mid-stream resumes at the first missing byte', async () => {
    const { faulty, backend, memory } = setup();
    const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31) & 0xff));
    await memory.put('obj', { kind: 'bytes', data });
    faulty.inject({ operation: 'get', point: 'during', times: 3, error: transient() });
    assert.ok((await readAll(await backend.get('obj'))).equals(data));
    faulty.inject({ operation: 'get', point: 'during', times: 2, error: transient() });
    const ranged = await readAll(await backend.get('obj', { range: { start: 1000, end: 250_000 } }));
    assert.ok(ranged.equals(data.subarray(1000, 250_001)));
  });

  test('a listing that fails part-way restarts after the last key, without duplicates', async () => {
    const { faulty, backend, memory } = setup();
    for (let i = 0; i < 20; i++) await memory.put(`l/${String(i).padStart(2, '0')}`, { kind: 'bytes', data: Buffer.from('x') });
    faulty.inject({ operation: 'list', point: 'during', times: 3, error: transient() });
    const keys = (await listKeys(backend, 'l/')).map((i) => i.key);
    assert.deepEqual(keys, Array.from({ length: 20 }, (_, i) => `l/${String(i).padStart(2, '0')}`));
    assert.equal(faulty.calls.list, 4);
  });

  test('deleteMany retries only the keys that failed transiently', async () => {
    const { faulty, backend, memory } = setup();
    const keys = ['a', 'b', 'c', 'd', 'e'];
    for (const k of keys) await memory.put(k, { kind: 'bytes', data: Buffer.from(k) });
    faulty.inject({ operation: 'deleteMany', point: 'during', error: transient() });
    const result = await backend.deleteMany(keys);
    assert.deepEqual(result, { deleted: 5, failed: [] });
    assert.equal(memory.size, 0);
    assert.equal(faulty.calls.deleteMany, 2);
  });

  test('an aborted signal stops the retries', async () => {
    const { faulty, backend } = setup();
    faulty.inject({ operation: 'put', times: 10, error: transient() });
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(backend.put('k', { kind: 'bytes', data: Buffer.from('x') }, { signal: controller.signal }));
    assert.equal(faulty.calls.put, 1);
  });

  test('unwrap gives the inner backend', () => {
    const inner = new MemoryBackend();
    const wrapped = withRetry(inner) as unknown as { unwrap(): unknown };
    assert.equal(wrapped.unwrap(), inner);
  });
});
