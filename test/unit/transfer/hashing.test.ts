import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ContentHasher, hashBytes, hashFile, hashInStoreForm, hashSpecFor } from '../../../src/transfer/hashing.js';

// 10,000 bytes, byte i = (7i + 3) mod 256. Expected values computed outside this project:
//   md5sum of the file                                  → 941546d1c333e2f0d9efd902e5cb94b7
//   `split -b 4096` into 3 parts, md5sum of each part, the three raw digests concatenated
//   (xxd -r -p) and md5sum'ed again                        → e876942553cd78dd292cff7d7fea5272, so "-3"
//   (the same computed in Python with hashlib gave the same digests, and base64 of the MD5).
const VECTOR = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 7 + 3) % 256));
const MD5_HEX = '941546d1c333e2f0d9efd902e5cb94b7';
const MD5_BASE64 = 'lBVG0cMz4vDZ79kC5cuUtw==';
const ETAG_4096 = 'e876942553cd78dd292cff7d7fea5272-3';
// One part of 4,096 bytes (the first part), uploaded as a 1-part multipart upload.
const ETAG_FIRST_PART_ONLY = 'c0e5158bb3920828383d3f19cce81be2-1';

describe('hashing', () => {
  test('whole-content MD5 as hex and base64', () => {
    const h = hashBytes(VECTOR, { md5: true });
    assert.equal(h.md5Hex, MD5_HEX);
    assert.equal(h.md5Base64, MD5_BASE64);
    assert.equal(h.size, 10_000);
  });

  test('S3 multipart ETag matches the md5sum-computed vector, for any chunking of the input', () => {
    const spec = { s3Etag: { partSize: 4096, threshold: 4096 } };
    assert.equal(hashBytes(VECTOR, spec).s3Etag, ETAG_4096);
    for (const step of [1, 100, 4095, 4096, 4097, 9999]) {
      for (const expectedSize of [undefined, VECTOR.length]) {
        const hasher = new ContentHasher({ md5: true, ...spec }, expectedSize);
        for (let i = 0; i < VECTOR.length; i += step) hasher.update(VECTOR.subarray(i, i + step));
        const h = hasher.digest();
        assert.equal(h.s3Etag, ETAG_4096, `chunks of ${step}, size ${expectedSize ?? 'unknown'}`);
        assert.equal(h.md5Hex, MD5_HEX);
      }
    }
  });

  test('below the threshold the ETag is the plain hex MD5; at the threshold it is multipart', () => {
    assert.equal(hashBytes(VECTOR, { s3Etag: { partSize: 4096, threshold: 10_001 } }).s3Etag, MD5_HEX);
    assert.equal(hashBytes(VECTOR.subarray(0, 4096), { s3Etag: { partSize: 4096, threshold: 4096 } }).s3Etag, ETAG_FIRST_PART_ONLY);
    const empty = hashBytes(new Uint8Array(0), { s3Etag: { partSize: 4096, threshold: 1 } });
    assert.equal(empty.s3Etag, 'd41d8cd98f00b204e9800998ecf8427e');
  });

  test('with a known size, only the needed digest is computed (no md5 when only a multipart ETag is asked)', () => {
    const h = hashBytes(VECTOR, { s3Etag: { partSize: 4096, threshold: 4096 } });
    assert.equal(h.md5Hex, undefined);
    assert.equal(h.s3Etag, ETAG_4096);
  });

  test('an announced size that turns out wrong is reported, not silently mis-hashed', () => {
    const hasher = new ContentHasher({ s3Etag: { partSize: 4096, threshold: 8192 } }, 100);
    hasher.update(VECTOR);
    assert.throws(() => hasher.digest(), /announced/);
  });

  test('store forms per hash kind', () => {
    const h = hashBytes(VECTOR, { md5: true, s3Etag: { partSize: 4096, threshold: 4096 } });
    assert.equal(hashInStoreForm('md5-hex', h), MD5_HEX);
    assert.equal(hashInStoreForm('md5-base64', h), MD5_BASE64);
    assert.equal(hashInStoreForm('s3-etag', h), ETAG_4096);
    assert.equal(hashInStoreForm('none', h), undefined);
    assert.deepEqual(hashSpecFor('md5-base64'), { md5: true });
    assert.deepEqual(hashSpecFor('s3-etag'), { md5: true });
    assert.deepEqual(hashSpecFor('none'), {});
  });

  describe('hashFile', () => {
    let dir = '';
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'medusa-hash-'));
    });
    after(() => rm(dir, { recursive: true, force: true }));

    test('reads a file larger than its read buffer in one pass', async () => {
      const big = Buffer.alloc(3 * 1024 * 1024 + 17);
      for (let i = 0; i < big.length; i += 4096) VECTOR.copy(big, i, 0, Math.min(4096, big.length - i));
      const path = join(dir, 'big.bin');
      await writeFile(path, big);
      const spec = { md5: true, s3Etag: { partSize: 1024 * 1024, threshold: 1024 * 1024 } };
      assert.deepEqual(await hashFile(path, spec), hashBytes(big, { ...spec }));
    });
  });
});
