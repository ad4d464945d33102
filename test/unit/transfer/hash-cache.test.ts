import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, utimes, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HashCache } from '../../../src/transfer/hash-cache.js';
import { hashBytes, hashSmallFileSync, SMALL_FILE_BYTES } from '../../../src/transfer/hashing.js';

describe('HashCache', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'medusa-hash-cache-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const multipart = { partSize: 1000, threshold: 1000 };

  test('an unchanged file is read once; a new mtime is a miss', async () => {
    const path = join(dir, 'nb-1-big-Data.db');
    const data = Buffer.from('x'.repeat(2500));
    await writeFile(path, data);
    const cache = HashCache.inMemory();
    const first = await cache.hashFile(path, { md5: true });
    assert.equal(first.md5Hex, hashBytes(data, { md5: true }).md5Hex);
    assert.deepEqual(await cache.hashFile(path, { md5: true }), first);
    assert.deepEqual(cache.stats, { hits: 1, misses: 1 });

    await utimes(path, new Date('2030-01-01T00:00:00Z'), new Date('2030-01-01T00:00:00Z'));
    await cache.hashFile(path, { md5: true });
    assert.deepEqual(cache.stats, { hits: 1, misses: 2 }, 'mtime changed: read again');
  });

  test('cached(identity) answers from a stat the caller already took, only for the same inode, size and mtime', async () => {
    const path = join(dir, 'nb-7-big-Data.db');
    await writeFile(path, 'seven');
    const cache = HashCache.inMemory();
    const st = await stat(path, { bigint: true });
    const identity = { dev: st.dev, ino: st.ino, mtimeNs: st.mtimeNs };
    assert.equal(cache.cached(identity, 5, { md5: true }), undefined, 'nothing cached yet');
    const hashed = await cache.hashFile(path, { md5: true });
    assert.deepEqual(cache.cached(identity, 5, { md5: true }), hashed);
    assert.equal(cache.cached({ ...identity, mtimeNs: identity.mtimeNs + 1n }, 5, { md5: true }), undefined);
    assert.equal(cache.cached({ ...identity, ino: identity.ino + 1n }, 5, { md5: true }), undefined);
    assert.equal(cache.cached(identity, 6, { md5: true }), undefined);
    assert.equal(cache.cached(identity, 5, { s3Etag: { partSize: 2, threshold: 0 } }), undefined, 'a digest never computed');
    assert.deepEqual(cache.stats, { hits: 1, misses: 1 });
  });

  test('hashSmallFileSync: the same digests and cache entries as hashFile; a file over the small size is left to hashFile', async () => {
    const path = join(dir, 'nb-9-big-TOC.txt');
    const data = Buffer.from('Data.db\nTOC.txt\nDigest.crc32\n');
    await writeFile(path, data);
    const cache = HashCache.inMemory();
    const spec = { md5: true, s3Etag: { partSize: 8, threshold: 0 } };
    const sync = cache.hashSmallFileSync(path, spec);
    assert.deepEqual(sync, hashBytes(data, spec));
    assert.deepEqual(await cache.hashFile(path, spec), sync, 'answered from what the synchronous read cached');
    assert.deepEqual(cache.stats, { hits: 1, misses: 1 });
    await writeFile(path, 'other');
    assert.equal(cache.hashSmallFileSync(path, { md5: true })?.md5Hex, hashBytes(Buffer.from('other'), { md5: true }).md5Hex, 'new content, new digest');

    const big = join(dir, 'big-Data.db');
    await writeFile(big, Buffer.alloc(SMALL_FILE_BYTES + 1, 7));
    assert.equal(cache.hashSmallFileSync(big, { md5: true }), undefined);
    assert.equal(hashSmallFileSync(big, { md5: true }), undefined);
    await writeFile(big, Buffer.alloc(SMALL_FILE_BYTES, 7));
    assert.deepEqual(hashSmallFileSync(big, { md5: true }), hashBytes(Buffer.alloc(SMALL_FILE_BYTES, 7), { md5: true }), 'exactly the small size');
    assert.throws(() => cache.hashSmallFileSync(join(dir, 'missing'), { md5: true }), /ENOENT/);
  });

  test('a changed content with a new size is never answered from the cache', async () => {
    const path = join(dir, 'changing.db');
    await writeFile(path, 'aaaa');
    const cache = HashCache.inMemory();
    await cache.hashFile(path, { md5: true });
    await writeFile(path, 'bbbbbbbb');
    const second = await cache.hashFile(path, { md5: true });
    assert.equal(second.md5Hex, hashBytes(Buffer.from('bbbbbbbb'), { md5: true }).md5Hex);
  });

  test('digests accumulate: an ETag request after an MD5 request reads only for the ETag', async () => {
    const path = join(dir, 'both.db');
    const data = Buffer.from(Array.from({ length: 3500 }, (_, i) => i & 0xff));
    await writeFile(path, data);
    const cache = HashCache.inMemory();
    await cache.hashFile(path, { md5: true });
    const etag = await cache.hashFile(path, { s3Etag: multipart });
    assert.equal(etag.s3Etag, hashBytes(data, { s3Etag: multipart }).s3Etag);
    assert.equal(cache.stats.misses, 2);
    const both = await cache.hashFile(path, { md5: true, s3Etag: multipart });
    assert.deepEqual(both, hashBytes(data, { md5: true, s3Etag: multipart }));
    assert.equal(cache.stats.hits, 1);
    // A small file's ETag is its MD5: answered from the MD5 entry.
    const small = join(dir, 'small.db');
    await writeFile(small, 'tiny');
    await cache.hashFile(small, { md5: true });
    assert.equal((await cache.hashFile(small, { s3Etag: multipart })).s3Etag, hashBytes(Buffer.from('tiny'), { md5: true }).md5Hex);
    assert.equal(cache.stats.hits, 2);
  });

  test('persists to JSON and answers from it in a later process; a damaged file gives an empty cache', async () => {
    const path = join(dir, 'persisted.db');
    await writeFile(path, 'persist me');
    const store = join(dir, 'cache', 'hashes.json');
    const one = await HashCache.load({ persistPath: store });
    const h = await one.hashFile(path, { md5: true });
    await one.save();
    const two = await HashCache.load({ persistPath: store });
    assert.equal(two.size, 1);
    assert.deepEqual(await two.hashFile(path, { md5: true }), h);
    assert.deepEqual(two.stats, { hits: 1, misses: 0 });
    const parsed = JSON.parse(await readFile(store, 'utf8')) as { version: number };
    assert.equal(parsed.version, 1);

    await writeFile(store, '{ not json');
    const three = await HashCache.load({ persistPath: store });
    assert.equal(three.size, 0);
  });

  test('save({ dropUnused }) keeps only files looked up by this process', async () => {
    const a = join(dir, 'a.db');
    const b = join(dir, 'b.db');
    await writeFile(a, 'a');
    await writeFile(b, 'b');
    const store = join(dir, 'drop.json');
    const first = await HashCache.load({ persistPath: store });
    await first.hashFile(a, { md5: true });
    await first.hashFile(b, { md5: true });
    await first.save();
    const second = await HashCache.load({ persistPath: store });
    await second.hashFile(a, { md5: true });
    await second.save({ dropUnused: true });
    assert.equal((await HashCache.load({ persistPath: store })).size, 1);
  });

  test('save writes nothing when nothing changed and nothing is dropped (an unchanged node)', async () => {
    const a = join(dir, 'same.db');
    await writeFile(a, 'same');
    const store = join(dir, 'same.json');
    const first = await HashCache.load({ persistPath: store });
    await first.hashFile(a, { md5: true });
    await first.save({ dropUnused: true });
    const written = (await stat(store, { bigint: true })).ino;
    const second = await HashCache.load({ persistPath: store });
    await second.hashFile(a, { md5: true });
    assert.deepEqual(second.stats, { hits: 1, misses: 0 });
    await second.save({ dropUnused: true });
    assert.equal((await stat(store, { bigint: true })).ino, written, 'not rewritten (an atomic rewrite is a new inode)');
    const third = await HashCache.load({ persistPath: store });
    await third.save({ dropUnused: true });
    assert.notEqual((await stat(store, { bigint: true })).ino, written, 'an entry to drop: rewritten');
    assert.equal((await HashCache.load({ persistPath: store })).size, 0);
  });
});
