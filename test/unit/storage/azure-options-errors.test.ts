import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mapAzureError } from '../../../src/storage/backends/azure/errors.js';
import { accountUrl, azureSettingsFrom, blockSizeFor, MAX_BLOCKS, parseAzureKeyFile, readAzureKeyFile } from '../../../src/storage/backends/azure/options.js';
import { InvalidRangeError, NotFoundError, PermissionError, TransientStorageError, ConflictError } from '../../../src/storage/errors.js';
import { ConfigError } from '../../../src/util/errors.js';
import { storageSection, tempKeyFile } from '../../support/object-store-env.js';

const MiB = 1024 * 1024;

describe('Azure settings from [storage]', () => {
  test('defaults: 50MB blocks, tier from storage_class, read_timeout per try; no key_file needs AZURE_STORAGE_ACCOUNT', () => {
    const s = azureSettingsFrom(storageSection({ storage_provider: 'azure_blobs', bucket_name: 'c', key_file: '/k.json', storage_class: 'cool', read_timeout: 30 }));
    assert.equal(s.container, 'c');
    assert.equal(s.blockSize, 50 * MiB);
    assert.equal(s.singlePutLimit, 20 * MiB);
    assert.equal(s.tier, 'Cool');
    assert.equal(s.tryTimeoutMs, 30_000);
    assert.throws(() => azureSettingsFrom(storageSection({ storage_provider: 'azure_blobs', bucket_name: 'c' }), {}), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /\[storage\] key_file: azure_blobs: not set, .*AZURE_STORAGE_ACCOUNT environment variable, which is not set/);
      return true;
    });
  });

  test('service URL: Medusa form for a domain suffix, path style for an IP or localhost', () => {
    assert.equal(accountUrl({ secure: true }, 'acct'), 'https://acct.blob.core.windows.net/');
    assert.equal(accountUrl({ host: 'chinacloudapi.cn', secure: true }, 'acct'), 'https://acct.blob.core.chinacloudapi.cn/');
    assert.equal(accountUrl({ host: 'usgovcloudapi.net', port: 8443, secure: true }, 'acct'), 'https://acct.blob.core.usgovcloudapi.net:8443/');
    assert.equal(accountUrl({ host: '127.0.0.1', port: 10000, secure: false }, 'devstoreaccount1'), 'http://127.0.0.1:10000/devstoreaccount1');
    assert.equal(accountUrl({ host: 'localhost', port: 10000, secure: true }, 'a'), 'https://localhost:10000/a');
  });

  test('a 500 GB blob stays under 50,000 blocks with the default block size, and with a small one', () => {
    const size = 500 * 1024 ** 3;
    assert.equal(blockSizeFor(size, 50 * MiB), 50 * MiB);
    const raised = blockSizeFor(size, 4 * MiB);
    assert.ok(Math.ceil(size / raised) <= MAX_BLOCKS);
    assert.equal(raised % MiB, 0);
  });

  test('key file: parsed, or a ConfigError naming provider and file without the key', async () => {
    assert.deepEqual(parseAzureKeyFile('{"storage_account": "a", "key": "k"}'), { account: 'a', key: 'k' });
    assert.equal(parseAzureKeyFile('nope'), 'is not valid JSON');
    assert.equal(parseAzureKeyFile('{"storage_account": "a"}'), 'lacks "storage_account" or "key"');
    const path = tempKeyFile('azure.json', '{"storage_account": "a", "key": ');
    await assert.rejects(readAzureKeyFile('azure_blobs', path), /key_file: azure_blobs: .*azure\.json is not valid JSON/);
    await assert.rejects(readAzureKeyFile('azure_blobs', '/missing.json'), /cannot read \/missing\.json \(ENOENT\)/);
  });
});

describe('Azure error mapping', () => {
  const rest = (statusCode: number | undefined, code?: string, message = 'm'): Error => Object.assign(new Error(message), { name: 'RestError', statusCode, code });
  const cases: Array<[string, Error, new (...args: never[]) => Error]> = [
    ['BlobNotFound', rest(404, 'BlobNotFound'), NotFoundError],
    ['ContainerNotFound', rest(404, 'ContainerNotFound'), NotFoundError],
    ['AuthenticationFailed', rest(403, 'AuthenticationFailed'), PermissionError],
    ['InvalidRange', rest(416, 'InvalidRange'), InvalidRangeError],
    ['ServerBusy', rest(503, 'ServerBusy'), TransientStorageError],
    ['429', rest(429), TransientStorageError],
    ['conflict', rest(409, 'BlobAlreadyExists'), ConflictError],
    ['connection refused', rest(undefined, 'REQUEST_SEND_ERROR', 'connect ECONNREFUSED 127.0.0.1:1'), TransientStorageError],
  ];
  for (const [what, err, expected] of cases) {
    test(`${what} → ${expected.name}`, () => {
      const mapped = mapAzureError('azure_blobs', 'get azure://c/k', err);
      assert.ok(mapped instanceof expected, mapped.message);
      assert.match(mapped.message, /^azure_blobs: get azure:\/\/c\/k: /);
    });
  }
  test('causes an operator can act on', () => {
    assert.match(mapAzureError('azure_blobs', 'x', rest(403, 'AuthenticationFailed')).message, /account key was refused/);
    assert.match(mapAzureError('azure_blobs', 'x', rest(404, 'ContainerNotFound')).message, /container does not exist/);
  });
});
