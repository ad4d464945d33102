import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mapS3Error } from '../../../src/storage/backends/s3/errors.js';
import {
  ConflictError,
  InvalidRangeError,
  NotFoundError,
  PermissionError,
  StorageError,
  TransientStorageError,
} from '../../../src/storage/errors.js';

function sdkError(name: string, status?: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} message`), { name, ...(status !== undefined && { $metadata: { httpStatusCode: status } }), ...extra });
}

const cases: Array<[string, Error, new (...args: never[]) => Error]> = [
  ['NoSuchKey', sdkError('NoSuchKey', 404), NotFoundError],
  ['bare 404 (HEAD)', sdkError('NotFound', 404), NotFoundError],
  ['NoSuchBucket', sdkError('NoSuchBucket', 404), NotFoundError],
  ['AccessDenied', sdkError('AccessDenied', 403), PermissionError],
  ['InvalidAccessKeyId', sdkError('InvalidAccessKeyId', 403), PermissionError],
  ['SignatureDoesNotMatch', sdkError('SignatureDoesNotMatch', 403), PermissionError],
  ['no credentials', sdkError('CredentialsProviderError'), PermissionError],
  ['InvalidRange', sdkError('InvalidRange', 416), InvalidRangeError],
  ['SlowDown', sdkError('SlowDown', 503), TransientStorageError],
  ['500', sdkError('InternalError', 500), TransientStorageError],
  ['429', sdkError('TooManyRequests', 429), TransientStorageError],
  ['connection reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), TransientStorageError],
  ['connection refused', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), TransientStorageError],
  ['timeout', sdkError('TimeoutError'), TransientStorageError],
  ['other 4xx', sdkError('InvalidStorageClass', 400), ConflictError],
  ['TLS refusal', Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), StorageError],
];

for (const [what, err, expected] of cases) {
  test(`S3 error mapping: ${what} → ${expected.name}`, () => {
    const mapped = mapS3Error('s3_rgw', 'get s3://b/k', err);
    assert.ok(mapped instanceof expected, `${mapped.constructor.name}: ${mapped.message}`);
    assert.match(mapped.message, /^s3_rgw: get s3:\/\/b\/k: /);
  });
}

test('S3 error mapping: Retry-After is kept; aborts and storage errors pass through', () => {
  const throttled = mapS3Error('s3', 'put x', sdkError('SlowDown', 503, { $response: { headers: { 'retry-after': '3' } } }));
  assert.ok(throttled instanceof TransientStorageError);
  assert.equal(throttled.retryAfterMs, 3000);
  const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
  assert.equal(mapS3Error('s3', 'x', abort), abort);
  const own = new NotFoundError('x');
  assert.equal(mapS3Error('s3', 'x', own), own);
});

test('S3 error mapping: operator-facing causes', () => {
  assert.match(mapS3Error('s3_rgw', 'stat s3://b/k', sdkError('SignatureDoesNotMatch', 403)).message, /secret key is wrong/);
  assert.match(mapS3Error('s3_rgw', 'list s3://nope/', sdkError('NoSuchBucket', 404)).message, /bucket does not exist/);
  assert.match(mapS3Error('s3_rgw', 'x', Object.assign(new Error('c'), { code: 'ECONNREFUSED' })).message, /connection refused/);
});
