import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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

  test('hashStream hashes pieces in shared memory as they come, several at once, same digests as hashing them whole', async () => {
    const spec = { md5: true, s3Etag: { partSize: 300_000, threshold: 0 } };
    const runs = Array.from({ length: 5 }, async (_, i) => {
      const data = Buffer.from(Array.from({ length: 1_000_000 + i * 12_345 }, (_, j) => (j * (i + 5)) & 0xff));
      const streamed = pool.hashStream(spec, data.length);
      // One shared buffer reused for every piece: each is overwritten only after its ack.
      const piece = Buffer.from(new SharedArrayBuffer(100_000));
      for (let at = 0; at < data.length; at += piece.length) {
        const n = data.copy(piece, 0, at, at + piece.length);
        await streamed.update(piece.subarray(0, n));
      }
      assert.deepEqual(await streamed.finish(), hashBytes(data, spec));
    });
    await Promise.all(runs);
  });

  test('hashStream: plain (copied) pieces give the same digests; nothing hashed is the empty digest; a cancelled stream reports nothing', async () => {
    const plain = pool.hashStream({ md5: true });
    await plain.update(Buffer.from('ab'));
    await plain.update(Buffer.from('c'));
    assert.equal((await plain.finish()).md5Hex, '900150983cd24fb0d6963f7d28e17f72');
    assert.equal((await pool.hashStream({ md5: true }).finish()).md5Hex, 'd41d8cd98f00b204e9800998ecf8427e');
    const cancelled = pool.hashStream({ md5: true });
    await cancelled.update(Buffer.from('x'));
    cancelled.cancel();
    await assert.rejects(cancelled.update(Buffer.from('y')), /finished/);
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
