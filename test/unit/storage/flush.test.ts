/**
 * `durable: false` and `flush` cross the whole production wrapper stack (logging, retry,
 * throttle) unchanged, and `flushStore` is a no-op for stores without a flush.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryBackend } from '../../../src/storage/backends/memory.js';
import { flushStore } from '../../../src/storage/helpers.js';
import type { ByteSource, ObjectInfo, PutOptions } from '../../../src/storage/types.js';
import { withLogging } from '../../../src/storage/wrappers/with-logging.js';
import { withRetry } from '../../../src/storage/wrappers/with-retry.js';
import { withThrottle } from '../../../src/storage/wrappers/with-throttle.js';
import { TokenBucket } from '../../../src/transfer/token-bucket.js';
import { FakeClock } from '../../support/fake-clock.js';

class FlushingBackend extends MemoryBackend {
  readonly durableFlags: Array<boolean | undefined> = [];
  flushes = 0;
  override put(key: string, source: ByteSource, options?: PutOptions): Promise<ObjectInfo> {
    this.durableFlags.push(options?.durable);
    return super.put(key, source, options);
  }
  flush(): Promise<void> {
    this.flushes += 1;
    return Promise.resolve();
  }
}

test('durable and flush reach the store through logging(retry(throttle(store)))', async () => {
  const clock = new FakeClock();
  const inner = new FlushingBackend();
  const lines: string[] = [];
  const stack = withLogging(withRetry(withThrottle(inner, new TokenBucket({ bytesPerSecond: 1 << 30, clock })), { clock }), { debug: (l: string) => lines.push(l), warning: (l: string) => lines.push(l), debugEnabled: true }, clock);
  await stack.put('a', { kind: 'bytes', data: Buffer.from('x') }, { durable: false });
  await stack.put('b', { kind: 'bytes', data: Buffer.from('y') });
  await flushStore(stack);
  assert.deepEqual(inner.durableFlags, [false, undefined]);
  assert.equal(inner.flushes, 1);
  assert.ok(lines.some((l) => l.includes('flush')), lines.join('\n'));
});

test('flushStore resolves for a store that has no flush', async () => {
  await flushStore(new MemoryBackend());
});
