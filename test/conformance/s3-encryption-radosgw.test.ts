/**
 * S3 options against radosgw: SSE-C (`sse_c_key`) is sent on every PUT, part, HEAD and GET, so an
 * encrypted object round-trips through every path (single PUT, multipart, ranged and whole reads)
 * and is unreadable without the key; `storage_class` reaches the store. radosgw runs with
 * `rgw crypt require ssl = false` (scripts/servers/radosgw-up.sh) so SSE-C works over http.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createS3Backend, type S3Backend } from '../../src/storage/backends/s3/index.js';
import { StorageError } from '../../src/storage/errors.js';
import { radosgwLines, storageSection } from '../support/object-store-env.js';
import { readAll } from './storage-suite.js';

const MiB = 1024 * 1024;
const prefix = `sse-${randomBytes(4).toString('hex')}/`;
const key = randomBytes(32).toString('base64');
const sizes = { multi_part_upload_threshold: 5 * MiB, multipart_chunksize: 5 * MiB };

describe('S3 SSE-C and storage class on radosgw', () => {
  let encrypted: S3Backend;
  let plain: S3Backend;
  before(async () => {
    encrypted = await createS3Backend(storageSection(radosgwLines({ ...sizes, sse_c_key: key, storage_class: 'standard' })));
    plain = await createS3Backend(storageSection(radosgwLines(sizes)));
  });
  after(async () => {
    const keys: string[] = [];
    for await (const info of plain.list(prefix)) keys.push(info.key);
    await plain.deleteMany(keys);
    await encrypted.close();
    await plain.close();
  });

  for (const [what, size] of [['single PUT', 100_000], ['multipart', 11 * MiB + 5]] as const) {
    test(`${what}: put, stat, whole and ranged get with the key`, async () => {
      const data = randomBytes(size);
      const k = `${prefix}${what.replace(' ', '-')}`;
      const put = await encrypted.put(k, { kind: 'bytes', data });
      assert.equal(put.size, size);
      assert.equal((await encrypted.stat(k))?.size, size);
      assert.ok((await readAll(await encrypted.get(k))).equals(data), 'whole read');
      assert.ok((await readAll(await encrypted.get(k, { range: { start: 1000, end: 1999 } }))).equals(data.subarray(1000, 2000)), 'ranged read');
    });
  }

  test('without the key the object cannot be read or stat-ed', async () => {
    const k = `${prefix}secret`;
    await encrypted.put(k, { kind: 'bytes', data: Buffer.from('secret') });
    // radosgw answers 400 InvalidRequest (AWS: 400 too): a permanent storage error naming the object.
    await assert.rejects(plain.get(k), (err: unknown) => err instanceof StorageError && /^s3_rgw: get s3:\/\/.*secret/.test(err.message));
    await assert.rejects(plain.stat(k), StorageError);
  });
});
