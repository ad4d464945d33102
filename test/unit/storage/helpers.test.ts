import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LocalBackend } from '../../../src/storage/backends/local.js';
import { MemoryBackend } from '../../../src/storage/backends/memory.js';
import { NotFoundError, TransientStorageError } from '../../../src/storage/errors.js';
import { deleteMany, downloadFile, exists, getBytes, getText, IntegrityError, listAll, putText, uploadFile } from '../../../src/storage/helpers.js';
import type { StorageBackend, StorageCapabilities } from '../../../src/storage/types.js';
import { withRetry } from '../../../src/storage/wrappers/with-retry.js';
import { withThrottle } from '../../../src/storage/wrappers/with-throttle.js';
import { TokenBucket } from '../../../src/transfer/token-bucket.js';
import { hashBytes } from '../../../src/transfer/hashing.js';
import { HashCache } from '../../../src/transfer/hash-cache.js';
import { HashWorkerPool } from '../../../src/transfer/hash-pool.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FaultyBackend } from '../../support/faulty-storage.js';

/** Memory backend pretending to report another kind of hash (the stored hash is computed the same way). */
function withHashKind(inner: MemoryBackend, capabilities: Partial<StorageCapabilities>): StorageBackend {
  return Object.assign(Object.create(inner) as StorageBackend, { capabilities: { ...inner.capabilities, ...capabilities } });
}

describe('storage helpers', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'medusa-helpers-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('putText/getText/getBytes keep bytes exactly (no newline added), exists and listAll', async () => {
    const m = new MemoryBackend();
    const info = await putText(m, 'meta/schema.cql', 'CREATE KEYSPACE é;');
    assert.equal(info.size, Buffer.byteLength('CREATE KEYSPACE é;'));
    assert.equal(await getText(m, 'meta/schema.cql'), 'CREATE KEYSPACE é;');
    assert.deepEqual(await getBytes(m, 'meta/schema.cql'), Buffer.from('CREATE KEYSPACE é;'));
    assert.equal(await exists(m, 'meta/schema.cql'), true);
    assert.equal(await exists(m, 'meta'), false);
    await assert.rejects(getText(m, 'nope'), NotFoundError);
    await putText(m, 'meta/a', '1');
    assert.deepEqual((await listAll(m, 'meta/')).map((i) => i.key), ['meta/a', 'meta/schema.cql']);
  });

  test('uploadFile reports progress, and takes back a failed attempt', async () => {
    const path = join(dir, 'nb-1-big-Data.db');
    const data = Buffer.alloc(3 * 1024 * 1024 + 5, 9);
    await writeFile(path, data);
    const faulty = new FaultyBackend(new MemoryBackend());
    faulty.inject({ operation: 'put', point: 'during', error: () => new TransientStorageError('reset') });
    const backend = withRetry(faulty, { clock: new FakeClock() });
    const deltas: number[] = [];
    const info = await uploadFile(backend, path, 'data/nb-1-big-Data.db', { onProgress: (d) => deltas.push(d) });
    assert.equal(info.size, data.length);
    assert.equal(info.hash, hashBytes(data, { md5: true }).md5Hex);
    assert.ok(deltas.some((d) => d < 0), 'the failed attempt was taken back');
    assert.equal(deltas.reduce((a, b) => a + b, 0), data.length);
  });

  test('uploadFile to an md5-hex store records the hash, so checking the unchanged file reads nothing', async () => {
    const path = join(dir, 'cached.db');
    await writeFile(path, 'sstable');
    const cache = HashCache.inMemory();
    const info = await uploadFile(new MemoryBackend(), path, 'k', { hashCache: cache });
    const checked = await cache.hashFile(path, { md5: true });
    assert.equal(checked.md5Hex, info.hash);
    assert.deepEqual(cache.stats, { hits: 1, misses: 0 });
  });

  test('downloadFile checks size and hash while streaming, and renames into place', async () => {
    const m = new MemoryBackend();
    const data = Buffer.from('x'.repeat(100_000));
    const put = await m.put('obj', { kind: 'bytes', data });
    const dest = join(dir, 'restore', 'ks', 't', 'nb-1-big-Data.db');
    let moved = 0;
    const result = await downloadFile(m, 'obj', dest, { expectedSize: data.length, expectedHash: put.hash ?? '', onProgress: (d) => (moved += d) });
    assert.deepEqual(result, { size: data.length, hashChecked: true });
    assert.deepEqual(await readFile(dest), data);
    assert.equal(moved, data.length);
    assert.deepEqual(await readdir(join(dir, 'restore', 'ks', 't')), ['nb-1-big-Data.db'], 'no temporary file left');
  });

  test('downloadFile with a hash pool: hashed on worker threads while written (S3 multipart ETag too); a corrupt object is refused, nothing left behind', async () => {
    const pool = new HashWorkerPool(2);
    try {
      const data = Buffer.from(Array.from({ length: 3 * 1024 * 1024 + 777 }, (_, i) => (i * 7) & 0xff));
      const m = new MemoryBackend();
      const put = await m.put('big', { kind: 'bytes', data });
      const dest = join(dir, 'pooled', 'nb-2-big-Data.db');
      const result = await downloadFile(m, 'big', dest, { expectedSize: data.length, expectedHash: put.hash ?? '', hashPool: pool });
      assert.deepEqual(result, { size: data.length, hashChecked: true });
      assert.deepEqual(await readFile(dest), data);
      const s3 = withHashKind(m, { hashKind: 's3-etag' });
      const etag = hashBytes(data, { s3Etag: { partSize: 1024 * 1024, threshold: 0 } }).s3Etag ?? '';
      assert.match(etag, /-4$/);
      const viaEtag = await downloadFile(s3, 'big', join(dir, 'pooled', 'etag.db'), { expectedSize: data.length, expectedHash: etag, partSize: 1024 * 1024, hashPool: pool });
      assert.equal(viaEtag.hashChecked, true);
      await writeFile(join(dir, 'pooled', 'kept.db'), 'previous');
      await assert.rejects(
        downloadFile(m, 'big', join(dir, 'pooled', 'kept.db'), { expectedSize: data.length, expectedHash: 'd41d8cd98f00b204e9800998ecf8427e', hashPool: pool }),
        /content hash [0-9a-f]{32} differs/,
      );
      await assert.rejects(downloadFile(m, 'big', join(dir, 'pooled', 'kept.db'), { expectedSize: 5, expectedHash: put.hash ?? '', hashPool: pool }), IntegrityError);
      assert.equal(await readFile(join(dir, 'pooled', 'kept.db'), 'utf8'), 'previous');
      await m.put('empty', { kind: 'bytes', data: Buffer.alloc(0) });
      const empty = await downloadFile(m, 'empty', join(dir, 'pooled', 'empty.db'), { expectedSize: 0, expectedHash: 'd41d8cd98f00b204e9800998ecf8427e', hashPool: pool });
      assert.deepEqual(empty, { size: 0, hashChecked: true });
      assert.deepEqual((await readdir(join(dir, 'pooled'))).filter((n) => n.startsWith('.medusa-tmp-')), []);
    } finally {
      await pool.close();
    }
  });

  test('downloadFile refuses a wrong size or hash and leaves the destination untouched', async () => {
    const m = new MemoryBackend();
    await m.put('obj', { kind: 'bytes', data: Buffer.from('actual content') });
    const dest = join(dir, 'mismatch.db');
    await writeFile(dest, 'previous');
    await assert.rejects(downloadFile(m, 'obj', dest, { expectedSize: 999 }), IntegrityError);
    await assert.rejects(downloadFile(m, 'obj', dest, { expectedSize: 14, expectedHash: 'd41d8cd98f00b204e9800998ecf8427e' }), /content hash/);
    assert.equal(await readFile(dest, 'utf8'), 'previous');
    assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('.medusa-tmp-')), []);
  });

  test('downloadFile through copyToFile (local store, retry wrapper): same checks, nothing left behind; a throttled store streams', async () => {
    const store = withRetry(new LocalBackend({ root: join(dir, 'copy-store') }));
    assert.equal(typeof store.copyToFile, 'function');
    assert.equal('copyToFile' in withThrottle(store, new TokenBucket({ bytesPerSecond: 1024, clock: new FakeClock() })), false);
    const data = Buffer.from('y'.repeat(70_000));
    const put = await store.put('ks/t/nb-1-big-Data.db', { kind: 'bytes', data });
    const target = join(dir, 'copied');
    const dest = join(target, 'ks', 't', 'nb-1-big-Data.db');
    let moved = 0;
    const result = await downloadFile(store, 'ks/t/nb-1-big-Data.db', dest, { expectedSize: data.length, expectedHash: put.hash ?? '', onProgress: (d) => (moved += d) });
    assert.deepEqual(result, { size: data.length, hashChecked: true });
    assert.deepEqual(await readFile(dest), data);
    assert.equal(moved, data.length);
    await writeFile(dest, 'previous');
    await assert.rejects(downloadFile(store, 'ks/t/nb-1-big-Data.db', dest, { expectedSize: 5 }), IntegrityError);
    await assert.rejects(downloadFile(store, 'ks/t/nb-1-big-Data.db', dest, { expectedSize: data.length, expectedHash: 'd41d8cd98f00b204e9800998ecf8427e' }), /content hash/);
    await assert.rejects(downloadFile(store, 'ks/t/missing-Data.db', dest), NotFoundError);
    assert.equal(await readFile(dest, 'utf8'), 'previous');
    assert.deepEqual(await readdir(join(target, 'ks', 't')), ['nb-1-big-Data.db'], 'no temporary file left');
  });

  test('downloadFile: a null manifest hash (reused local objects) checks the size only', async () => {
    const m = new MemoryBackend();
    await m.put('obj', { kind: 'bytes', data: Buffer.from('abc') });
    const result = await downloadFile(m, 'obj', join(dir, 'null-hash'), { expectedSize: 3, expectedHash: null });
    assert.equal(result.hashChecked, false);
  });

  test('downloadFile checks base64 MD5 and S3 ETags, multipart ones given the part size', async () => {
    const data = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 7 + 3) % 256));
    const m = new MemoryBackend();
    await m.put('obj', { kind: 'bytes', data });
    const gcsLike = withHashKind(m, { hashKind: 'md5-base64' });
    assert.equal((await downloadFile(gcsLike, 'obj', join(dir, 'b64'), { expectedHash: 'lBVG0cMz4vDZ79kC5cuUtw==' })).hashChecked, true);
    const s3Like = withHashKind(m, { hashKind: 's3-etag' });
    const etag = 'e876942553cd78dd292cff7d7fea5272-3';
    assert.equal((await downloadFile(s3Like, 'obj', join(dir, 'etag'), { expectedHash: etag, partSize: 4096 })).hashChecked, true);
    await assert.rejects(downloadFile(s3Like, 'obj', join(dir, 'etag2'), { expectedHash: etag, partSize: 5000 }), IntegrityError);
    assert.equal((await downloadFile(s3Like, 'obj', join(dir, 'etag3'), { expectedHash: etag })).hashChecked, false, 'no part size: size only');
    assert.equal((await downloadFile(s3Like, 'obj', join(dir, 'etag4'), { expectedHash: '941546d1c333e2f0d9efd902e5cb94b7' })).hashChecked, true);
  });

  test('deleteMany batches by maxDeleteBatch and collects failures', async () => {
    const m = new MemoryBackend({ maxDeleteBatch: 3 });
    for (let i = 0; i < 8; i++) await putText(m, `k${i}`, 'x');
    const batches: number[] = [];
    const spy = Object.assign(Object.create(m) as StorageBackend, {
      deleteMany: (keys: readonly string[]) => {
        batches.push(keys.length);
        return m.deleteMany(keys);
      },
    });
    const result = await deleteMany(spy, [...Array.from({ length: 8 }, (_, i) => `k${i}`), 'missing', 'bad/../key']);
    assert.deepEqual(batches, [3, 3, 3, 1]);
    assert.equal(result.deleted, 9);
    assert.deepEqual(result.failed.map((f) => f.key), ['bad/../key']);
    assert.equal(m.size, 0);
  });
});
