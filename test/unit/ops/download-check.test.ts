import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileCheck } from '../../../src/ops/download-check.js';

const MiB = 1024 * 1024;
const HEX = '9e107d9d372bb6826bd81d3542a419d6';

test('hashes are compared only in the form the store reports', () => {
  assert.deepEqual(fileCheck('md5-hex', HEX.toUpperCase(), 10, 8 * MiB), { expectedHash: HEX });
  assert.deepEqual(fileCheck('md5-hex', null, 10, 8 * MiB), {});
  assert.deepEqual(fileCheck('md5-base64', 'nhB9nTcrtoJr2B01QqQZ1g==', 10, 8 * MiB), { expectedHash: 'nhB9nTcrtoJr2B01QqQZ1g==' });
  assert.deepEqual(fileCheck('md5-base64', 'no-md5-hash', 10, 8 * MiB), {});
  assert.deepEqual(fileCheck('md5-base64', '0x8DC2E4D5F1A2B3C', 10, 8 * MiB), {});
  assert.deepEqual(fileCheck('none', HEX, 10, 8 * MiB), {});
});

test('S3 ETags: single PUT is the MD5; multipart only when the configured part size gives the same part count', () => {
  assert.deepEqual(fileCheck('s3-etag', HEX, 100 * MiB, 8 * MiB), { expectedHash: HEX });
  assert.deepEqual(fileCheck('s3-etag', `${HEX}-13`, 100 * MiB, 8 * MiB), { expectedHash: `${HEX}-13`, partSize: 8 * MiB });
  assert.deepEqual(fileCheck('s3-etag', `${HEX}-10`, 100 * MiB, 8 * MiB), {});
  // Below S3's 5 MiB minimum the part size is raised, as our uploads do.
  assert.deepEqual(fileCheck('s3-etag', `${HEX}-2`, 6 * MiB, 1 * MiB), { expectedHash: `${HEX}-2`, partSize: 5 * MiB });
});
