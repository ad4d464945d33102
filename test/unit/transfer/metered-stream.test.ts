import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { pipeThrough } from '../../../src/storage/byte-source.js';
import { MeteredStream } from '../../../src/transfer/metered-stream.js';
import { AttemptProgress } from '../../../src/transfer/progress.js';
import { TokenBucket } from '../../../src/transfer/token-bucket.js';
import { FakeClock } from '../../support/fake-clock.js';

function source(total: number, chunk: number): Readable {
  return Readable.from((function* () {
    for (let i = 0; i < total; i += chunk) yield Buffer.alloc(Math.min(chunk, total - i), i & 0xff);
  })());
}

async function drain(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('MeteredStream', () => {
  test('passes bytes unchanged at the bucket rate and counts them', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ bytesPerSecond: 1024 * 1024, clock });
    const counted: number[] = [];
    const metered = new MeteredStream({ bucket, onBytes: (n) => counted.push(n) });
    const t0 = clock.now();
    const out = await drain(pipeThrough(source(5 * 1024 * 1024, 1024 * 1024), metered));
    assert.equal(out.length, 5 * 1024 * 1024);
    assert.deepEqual(out.subarray(1024 * 1024, 1024 * 1024 + 4), Buffer.alloc(4, 0));
    const seconds = (clock.now() - t0) / 1000;
    // 5 MiB at 1 MiB/s, minus the initial burst of 0.1 s.
    assert.ok(seconds >= 4.8 && seconds <= 5.1, `took ${seconds} virtual seconds`);
    assert.equal(metered.bytes, 5 * 1024 * 1024);
    assert.equal(counted.reduce((a, b) => a + b, 0), 5 * 1024 * 1024);
    assert.ok(Math.max(...counted) <= 256 * 1024, 'large chunks are metered in pieces');
  });

  test('without a bucket it only counts', async () => {
    const metered = new MeteredStream();
    await drain(pipeThrough(source(1000, 100), metered));
    assert.equal(metered.bytes, 1000);
  });

  test('an error in the source reaches the consumer', async () => {
    const failing = new Readable({ read() { this.destroy(new Error('disk gone')); } });
    await assert.rejects(drain(pipeThrough(failing, new MeteredStream())), /disk gone/);
  });

  test('AttemptProgress takes back a failed attempt so the running total is never double-counted', () => {
    const deltas: number[] = [];
    const p = new AttemptProgress((d) => deltas.push(d));
    p.add(100);
    p.add(50);
    p.restart();
    p.add(200);
    assert.deepEqual(deltas, [100, 50, -150, 200]);
    assert.equal(deltas.reduce((a, b) => a + b, 0), 200);
    assert.equal(p.bytes, 200);
  });
});
