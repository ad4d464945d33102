import assert from 'node:assert/strict';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HashCache } from '../../../src/transfer/hash-cache.js';
import { HashWorkerPool } from '../../../src/transfer/hash-pool.js';
import { hashBytes } from '../../../src/transfer/hashing.js';

describe('HashWorkerPool', () => {
  let dir = '';
  const pool = new HashWorkerPool(2);
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'medusa-hash-pool-'));
  });
  after(async () => {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('hashes files on worker threads with the same results as the main thread, more files than threads', async () => {
    const spec = { md5: true, s3Etag: { partSize: 1000, threshold: 1000 } };
    const files = await Promise.all(
      Array.from({ length: 5 }, async (_, i) => {
        const data = Buffer.from(Array.from({ length: 2500 + i * 700 }, (_, j) => (j * (i + 3)) & 0xff));
        const path = join(dir, `f${i}`);
        await writeFile(path, data);
        return { path, data };
      }),
    );
    const results = await Promise.all(files.map((f) => pool.hashFile(f.path, spec)));
    results.forEach((r, i) => assert.deepEqual(r, hashBytes(files[i]?.data ?? Buffer.alloc(0), spec)));
  });

  test('errors keep their errno code; a closed pool refuses work', async () => {
    await assert.rejects(pool.hashFile(join(dir, 'missing'), { md5: true }), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
    const other = new HashWorkerPool(1);
    await other.close();
    await assert.rejects(other.hashFile(join(dir, 'f0'), { md5: true }), /closed/);
    assert.throws(() => new HashWorkerPool(0), RangeError);
  });

  test('followFile hashes a file while it is written, several at once, same digests as hashing it whole', async () => {
    const spec = { md5: true, s3Etag: { partSize: 300_000, threshold: 0 } };
    const runs = Array.from({ length: 5 }, async (_, i) => {
      const data = Buffer.from(Array.from({ length: 1_000_000 + i * 12_345 }, (_, j) => (j * (i + 5)) & 0xff));
      const path = join(dir, `growing${i}`);
      const handle = await open(path, 'w');
      const followed = pool.followFile(path, spec, data.length);
      for (let at = 0; at < data.length; at += 100_000) {
        const end = Math.min(data.length, at + 100_000);
        await handle.write(data, at, end - at, at);
        followed.advance(end);
        if (at % 300_000 === 0) await new Promise((r) => setImmediate(r));
      }
      await handle.close();
      assert.deepEqual(await followed.finish(data.length), hashBytes(data, spec));
    });
    await Promise.all(runs);
  });

  test('followFile: a file shorter than announced fails finish; a cancelled one reports nothing', async () => {
    const path = join(dir, 'short');
    await writeFile(path, 'abc');
    const short = pool.followFile(path, { md5: true });
    short.advance(10);
    await assert.rejects(short.finish(10), /ends at 3 bytes/);
    const cancelled = pool.followFile(path, { md5: true });
    cancelled.advance(3);
    cancelled.cancel();
    const missing = pool.followFile(join(dir, 'no-such-file'), { md5: true });
    missing.advance(1);
    await assert.rejects(missing.finish(1), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
  });

  test('a hash cache with a pool hashes misses on the workers', async () => {
    const path = join(dir, 'cached');
    await writeFile(path, 'abc');
    const cache = HashCache.inMemory({ pool });
    assert.equal((await cache.hashFile(path, { md5: true })).md5Hex, '900150983cd24fb0d6963f7d28e17f72');
    assert.equal((await cache.hashFile(path, { md5: true })).md5Hex, '900150983cd24fb0d6963f7d28e17f72');
    assert.deepEqual(cache.stats, { hits: 1, misses: 1 });
  });
});
