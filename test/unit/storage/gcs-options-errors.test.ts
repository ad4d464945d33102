import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mapGcsError } from '../../../src/storage/backends/gcs/errors.js';
import { gcsSettingsFrom, parseServiceAccountKey, readServiceAccountKey } from '../../../src/storage/backends/gcs/options.js';
import { ConflictError, InvalidRangeError, NotFoundError, PermissionError, TransientStorageError } from '../../../src/storage/errors.js';
import { ConfigError } from '../../../src/util/errors.js';
import { storageSection, tempKeyFile } from '../../support/object-store-env.js';

const MiB = 1024 * 1024;

describe('GCS settings from [storage]', () => {
  test('defaults: Google endpoint, ADC without key_file, resumable from the threshold in 256 KiB-aligned chunks', () => {
    const s = gcsSettingsFrom(storageSection({ storage_provider: 'google_storage', bucket_name: 'b' }), {});
    assert.equal(s.apiEndpoint, undefined);
    assert.equal(s.keyFile, undefined);
    assert.equal(s.resumableThreshold, 20 * MiB);
    assert.equal(s.chunkSize, 50 * MiB);
    assert.equal(s.timeoutMs, 60_000);
    const odd = gcsSettingsFrom(storageSection({ storage_provider: 'google_storage', bucket_name: 'b', multipart_chunksize: 1000000 }), {});
    assert.equal(odd.chunkSize % (256 * 1024), 0);
  });

  test('endpoint from host/port/secure, else STORAGE_EMULATOR_HOST', () => {
    const lines = { storage_provider: 'google_storage', bucket_name: 'b' };
    assert.equal(gcsSettingsFrom(storageSection({ ...lines, host: '127.0.0.1', port: 4443, secure: false }), {}).apiEndpoint, 'http://127.0.0.1:4443');
    assert.equal(gcsSettingsFrom(storageSection(lines), { STORAGE_EMULATOR_HOST: 'localhost:9023' }).apiEndpoint, 'http://localhost:9023');
  });

  test('service-account key: checked, with a ConfigError naming provider and file', async () => {
    assert.equal(parseServiceAccountKey('[1'), 'is not valid JSON');
    assert.match(parseServiceAccountKey('{"storage_account": "x"}') as string, /not a service-account key/);
    const ok = parseServiceAccountKey('{"client_email": "a@b", "private_key": "k", "project_id": "p"}');
    assert.equal(typeof ok === 'object' && ok.project_id, 'p');
    const path = tempKeyFile('sa.json', '{"key": "x"}');
    await assert.rejects(readServiceAccountKey('google_storage', path), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /key_file: google_storage: .*sa\.json is not a service-account key/);
      return true;
    });
  });
});

describe('GCS error mapping', () => {
  const api = (code: number | string, message = 'm'): Error => Object.assign(new Error(message), { code });
  const cases: Array<[string, Error, new (...args: never[]) => Error]> = [
    ['404 object', api(404, 'No such object: b/k'), NotFoundError],
    ['404 bucket', api(404, 'The specified bucket does not exist.'), NotFoundError],
    ['403', api(403, 'forbidden'), PermissionError],
    ['401', api(401), PermissionError],
    ['416', api(416), InvalidRangeError],
    ['503', api(503), TransientStorageError],
    ['429', api(429), TransientStorageError],
    ['412', api(412), ConflictError],
    ['ECONNREFUSED', api('ECONNREFUSED', 'connect ECONNREFUSED'), TransientStorageError],
    ['no ADC', new Error('Could not load the default credentials.'), PermissionError],
  ];
  for (const [what, err, expected] of cases) {
    test(`${what} → ${expected.name}`, () => {
      const mapped = mapGcsError('google_storage', 'get gs://b/k', err);
      assert.ok(mapped instanceof expected, mapped.message);
      assert.match(mapped.message, /^google_storage: get gs:\/\/b\/k: /);
    });
  }
  test('a missing bucket says so', () => {
    assert.match(mapGcsError('google_storage', 'list gs://b/', api(404, 'The specified bucket does not exist.')).message, /the bucket does not exist/);
  });
});
