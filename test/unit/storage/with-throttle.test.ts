import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryBackend } from '../../../src/storage/backends/memory.js';
import { withRetry } from '../../../src/storage/wrappers/with-retry.js';
import { withThrottle } from '../../../src/storage/wrappers/with-throttle.js';
import { TransientStorageError } from '../../../src/storage/errors.js';
import { TokenBucket } from '../../../src/transfer/token-bucket.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FaultyBackend } from '../../support/faulty-storage.js';
import { readAll } from '../../conformance/storage-suite.js';

const MiB = 1024 * 1024;

describe('withThrottle', () => {
  test('concurrent uploads and downloads share one budget', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ bytesPerSecond: 4 * MiB, clock });
    const memory = new MemoryBackend();
    const backend = withThrottle(memory, bucket);
    await memory.put('down', { kind: 'bytes', data: Buffer.alloc(4 * MiB, 1) });
    const t0 = clock.now();
    // 3 uploads of 4 MiB and one 4 MiB download: 16 MiB through a 4 MiB/s budget ≈ 4 s, not 1 s.
    const ups = [0, 1, 2].map((i) => backend.put(`up${i}`, { kind: 'bytes', data: Buffer.alloc(4 * MiB, i) }));
    const down = backend.get('down').then(readAll);
    await Promise.all([...ups, down]);
    const seconds = (clock.now() - t0) / 1000;
    assert.ok(seconds >= 3.6 && seconds <= 4.4, `16 MiB took ${seconds} virtual seconds at 4 MiB/s`);
    assert.equal((await down).length, 4 * MiB);
  });

  test('a retried upload is metered again from its first byte (each attempt reopens through the meter)', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ bytesPerSecond: MiB, burstBytes: 1, clock });
    const faulty = new FaultyBackend(new MemoryBackend());
    faulty.inject({ operation: 'put', point: 'during', error: () => new TransientStorageError('reset') });
    const backend = withRetry(withThrottle(faulty, bucket), { clock, random: () => 0, baseDelayMs: 1 });
    const t0 = clock.now();
    const info = await backend.put('k', { kind: 'bytes', data: Buffer.alloc(2 * MiB, 3) });
    assert.equal(info.size, 2 * MiB);
    // The failed attempt pulled part of the source through the meter (up to its first 1 MiB chunk,
    // with read-ahead), then the retry metered all 2 MiB again: more than 2 s, at most 3 s.
    const seconds = (clock.now() - t0) / 1000;
    assert.ok(seconds > 2.2 && seconds <= 3.01, `took ${seconds} s`);
  });

  test('metadata calls pass straight through', async () => {
    const clock = new FakeClock();
    const backend = withThrottle(new MemoryBackend(), new TokenBucket({ bytesPerSecond: 1, clock }));
    assert.equal(await backend.stat('x'), undefined);
    await backend.delete('x');
    assert.deepEqual(await backend.deleteMany(['x']), { deleted: 1, failed: [] });
    assert.deepEqual(clock.sleeps, []);
  });
});
