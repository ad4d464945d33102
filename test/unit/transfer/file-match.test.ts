import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileMatches } from '../../../src/transfer/file-match.js';
import { HashCache } from '../../../src/transfer/hash-cache.js';

// Same vector as hashing.test.ts: 10,000 bytes, byte i = (7i + 3) mod 256.
const VECTOR = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 7 + 3) % 256));
const MD5_HEX = '941546d1c333e2f0d9efd902e5cb94b7';
const MD5_BASE64 = 'lBVG0cMz4vDZ79kC5cuUtw==';
const ETAG_4096 = 'e876942553cd78dd292cff7d7fea5272-3';

describe('fileMatches', () => {
  let dir = '';
  let path = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'medusa-match-'));
    path = join(dir, 'nb-1-big-Data.db');
    await writeFile(path, VECTOR);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('size only unless hashes are asked for and comparable', async () => {
    assert.deepEqual(await fileMatches(path, { size: 10_000, hash: 'whatever' }, { hashKind: 'md5-hex', checkHash: false }), { matches: true, hashChecked: false });
    assert.deepEqual(await fileMatches(path, { size: 9_999 }, { hashKind: 'md5-hex', checkHash: true }), { matches: false, reason: 'size' });
    assert.deepEqual(await fileMatches(join(dir, 'gone'), { size: 1 }, { hashKind: 'md5-hex', checkHash: true }), { matches: false, reason: 'missing' });
    assert.deepEqual(await fileMatches(path, { size: 10_000, hash: null }, { hashKind: 'md5-hex', checkHash: true }), { matches: true, hashChecked: false });
    assert.deepEqual(await fileMatches(path, { size: 10_000, hash: ETAG_4096 }, { hashKind: 's3-etag', checkHash: true }), { matches: true, hashChecked: false }, 'multipart ETag without part size');
  });

  test('hashes in every store form, through the cache', async () => {
    const cache = HashCache.inMemory();
    const check = (hash: string, hashKind: 'md5-hex' | 'md5-base64' | 's3-etag', partSize?: number) =>
      fileMatches(path, { size: 10_000, hash }, { hashKind, checkHash: true, cache, ...(partSize ? { partSize } : {}) });
    assert.deepEqual(await check(MD5_HEX, 'md5-hex'), { matches: true, hashChecked: true });
    assert.deepEqual(await check(MD5_BASE64, 'md5-base64'), { matches: true, hashChecked: true });
    assert.deepEqual(await check(MD5_HEX, 's3-etag'), { matches: true, hashChecked: true });
    assert.deepEqual(await check(ETAG_4096, 's3-etag', 4096), { matches: true, hashChecked: true });
    assert.deepEqual(await check(ETAG_4096, 's3-etag', 8192), { matches: false, reason: 'hash' });
    assert.deepEqual(await check('00000000000000000000000000000000', 'md5-hex'), { matches: false, reason: 'hash' });
    assert.equal(cache.stats.misses, 3, 'MD5 once, the ETag once per part size');
  });
});
