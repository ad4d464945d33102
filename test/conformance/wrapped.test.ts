/**
 * The production wrapper stack (throttle inside, retry outside, as `storage/open.ts` builds it) over
 * a backend that fails one call in ten with a transient error, before or in the middle of a
 * transfer or listing: retries must hide every fault and keep the whole contract. Time is virtual,
 * so backoff waits and the bandwidth budget cost nothing. Permanent errors are covered in
 * test/unit/storage/with-retry.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryBackend } from '../../src/storage/backends/memory.js';
import { ConflictError, NotFoundError, PermissionError, TransientStorageError } from '../../src/storage/errors.js';
import { withRetry } from '../../src/storage/wrappers/with-retry.js';
import { withThrottle } from '../../src/storage/wrappers/with-throttle.js';
import { TokenBucket } from '../../src/transfer/token-bucket.js';
import { FakeClock } from '../support/fake-clock.js';
import { FaultyBackend } from '../support/faulty-storage.js';
import { describeStorageConformance } from './storage-suite.js';

const clock = new FakeClock();
const faulty = new FaultyBackend(new MemoryBackend(), { transientRate: 0.1, seed: 42 });
// Random faults alone may miss an operation the suite calls rarely; one scripted mid-operation
// fault per kind guarantees every kind is exercised whatever the suite's call order.
for (const operation of ['put', 'get', 'list', 'deleteMany'] as const) {
  faulty.inject({ operation, point: 'during', error: () => new TransientStorageError(`scripted ${operation} fault`) });
}
faulty.inject({ operation: 'stat', error: () => new TransientStorageError('scripted stat fault') });

describeStorageConformance('retry(throttle(faulty(memory))) with 10% transient faults', () => {
  const bucket = new TokenBucket({ bytesPerSecond: 64 * 1024 * 1024, clock });
  const backend = withRetry(withThrottle(faulty, bucket), { clock, maxAttempts: 12 });
  return Promise.resolve({ backend, cleanup: () => Promise.resolve() });
}, { partSize: 1024 * 1024 });

test('through the same stack, permanent errors surface at once, unretried', async () => {
  const stackClock = new FakeClock();
  const inner = new FaultyBackend(new MemoryBackend());
  const stack = withRetry(withThrottle(inner, new TokenBucket({ bytesPerSecond: 1024 * 1024, clock: stackClock })), { clock: stackClock });
  inner.inject({ operation: 'put', error: () => new PermissionError('403 AccessDenied') });
  inner.inject({ operation: 'get', error: () => new ConflictError('400 bad request') });
  await assert.rejects(stack.put('k', { kind: 'bytes', data: Buffer.from('x') }), PermissionError);
  await assert.rejects(stack.get('k'), ConflictError);
  await assert.rejects(stack.get('k'), NotFoundError);
  assert.deepEqual([inner.calls.put, inner.calls.get], [1, 2]);
  assert.equal(stackClock.sleeps.length, 0, 'no backoff wait for permanent errors');
});

test('the faulty run really injected faults into every kind of operation', () => {
  for (const op of ['put', 'get', 'stat', 'list', 'deleteMany'] as const) {
    assert.ok(faulty.faults[op] > 0, `${op}: ${faulty.faults[op]} faults in ${faulty.calls[op]} calls`);
  }
  assert.ok(clock.sleeps.length > 0, 'retries and the budget waited (virtually)');
});
