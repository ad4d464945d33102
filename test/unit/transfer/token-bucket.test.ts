import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TokenBucket } from '../../../src/transfer/token-bucket.js';
import { FakeClock } from '../../support/fake-clock.js';

/** Runs `consumers` loops taking `chunk` bytes until virtual `seconds` elapse; returns bytes per consumer. */
async function run(bucket: TokenBucket, clock: FakeClock, consumers: number, chunkOf: (c: number) => number, seconds: number): Promise<number[]> {
  const end = clock.now() + seconds * 1000;
  const totals = new Array<number>(consumers).fill(0);
  await Promise.all(
    totals.map(async (_, c) => {
      while (clock.now() < end) {
        const n = chunkOf(c);
        await bucket.take(n);
        if (clock.now() <= end) totals[c] = (totals[c] ?? 0) + n;
      }
    }),
  );
  return totals;
}

describe('TokenBucket', () => {
  test('several concurrent consumers together stay within ±10% of the budget', async () => {
    for (const seconds of [2, 5]) {
      const clock = new FakeClock();
      const rate = 10 * 1024 * 1024;
      const bucket = new TokenBucket({ bytesPerSecond: rate, clock });
      // Four transfers with different chunk sizes, as uploads of different files would read.
      const sizes = [64 * 1024, 256 * 1024, 1024 * 1024, 100_000];
      const totals = await run(bucket, clock, 4, (c) => sizes[c] ?? 1, seconds);
      const sum = totals.reduce((a, b) => a + b, 0);
      const measured = sum / seconds;
      assert.ok(Math.abs(measured - rate) / rate <= 0.1, `over ${seconds} s: ${measured.toFixed(0)} B/s for a ${rate} B/s budget`);
      for (const t of totals) assert.ok(t > 0, 'no consumer starves');
    }
  });

  test('a waiter never overtakes an earlier one (debt is paid in request order)', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ bytesPerSecond: 1000, burstBytes: 1, clock });
    const done: string[] = [];
    await Promise.all([
      bucket.take(500).then(() => done.push('a')),
      bucket.take(10).then(() => done.push('b')),
      bucket.take(10).then(() => done.push('c')),
    ]);
    assert.deepEqual(done, ['a', 'b', 'c']);
  });

  test('after an idle period only the burst passes without waiting', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ bytesPerSecond: 1000, clock });
    clock.advance(60_000);
    const start = clock.now();
    await bucket.take(100); // the default burst: 1/10 s of the rate
    assert.equal(clock.now(), start);
    await bucket.take(1000);
    assert.equal(clock.now() - start, 1000);
  });

  test('unlimited when the rate is 0 or Infinity', async () => {
    const clock = new FakeClock();
    for (const rate of [0, Infinity]) {
      const bucket = new TokenBucket({ bytesPerSecond: rate, clock });
      assert.ok(bucket.unlimited);
      await bucket.take(1e12);
    }
    assert.equal(clock.sleeps.length, 0);
  });

  test('an aborted wait rejects and gives its tokens back', async () => {
    const clock = new FakeClock({ autoAdvance: false });
    const bucket = new TokenBucket({ bytesPerSecond: 1000, burstBytes: 1000, clock });
    await bucket.take(1000);
    const controller = new AbortController();
    const waiting = bucket.take(5000, controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(waiting, /stop/);
    clock.advance(1000);
    const t0 = clock.now();
    const next = bucket.take(1000);
    assert.equal(clock.pending, 0, 'the refunded tokens are available again: no wait');
    await next;
    assert.equal(clock.now(), t0);
  });

  test('setRate changes the budget; negative rates are refused', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ bytesPerSecond: 1000, burstBytes: 1, clock });
    bucket.setRate(4000);
    await bucket.take(1);
    const t0 = clock.now();
    await bucket.take(4000);
    assert.equal(clock.now() - t0, 1000);
    assert.throws(() => bucket.setRate(-1), RangeError);
  });
});
