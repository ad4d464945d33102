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

  test('a hash cache with a pool hashes misses on the workers', async () => {
    const path = join(dir, 'cached');
    await writeFile(path, 'abc');
    const cache = HashCache.inMemory({ pool });
    assert.equal((await cache.hashFile(path, { md5: true })).md5Hex, '900150983cd24fb0d6963f7d28e17f72');
    assert.equal((await cache.hashFile(path, { md5: true })).md5Hex, '900150983cd24fb0d6963f7d28e17f72');
    assert.deepEqual(cache.stats, { hits: 1, misses: 1 });
  });
});
