/**
 * `azure_blobs` authentication: which credential (key file or DefaultAzureCredential), which
 * account (the key file's or AZURE_STORAGE_ACCOUNT), which endpoint, and how a credential failure
 * reads. Table tests over the pure resolution; the credential builder is checked for the kind of
 * object it hands the SDK (no token is requested).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StorageSharedKeyCredential } from '@azure/storage-blob';
import { ACCOUNT_ENV, azureAuthFrom, isAuthProblem, type AzureAuth } from '../../../src/storage/backends/azure/auth.js';
import { createAzureCredential } from '../../../src/storage/backends/azure/credential.js';
import { credentialReason } from '../../../src/storage/backends/azure/credential-errors.js';
import { mapAzureError } from '../../../src/storage/backends/azure/errors.js';
import { accountUrl, azureSettingsFrom } from '../../../src/storage/backends/azure/options.js';
import { PermissionError, TransientStorageError } from '../../../src/storage/errors.js';
import { ConfigError } from '../../../src/util/errors.js';
import { storageSection, tempKeyFile } from '../../support/object-store-env.js';

type Lines = Record<string, string | number | boolean>;
const base: Lines = { storage_provider: 'azure_blobs', bucket_name: 'medusa' };

describe('Azure authentication: which credential, which account', () => {
  const cases: Array<{ name: string; lines: Lines; env: NodeJS.ProcessEnv; expected: AzureAuth | RegExp }> = [
    { name: 'key file, no variable', lines: { key_file: '/etc/medusa/azure.json' }, env: {}, expected: { kind: 'shared-key', keyFile: '/etc/medusa/azure.json' } },
    {
      name: 'key file wins over AZURE_STORAGE_ACCOUNT (its account is the one used)',
      lines: { key_file: '/k.json' },
      env: { [ACCOUNT_ENV]: 'other' },
      expected: { kind: 'shared-key', keyFile: '/k.json' },
    },
    { name: 'no key file, account from the variable', lines: {}, env: { [ACCOUNT_ENV]: 'prodbackups' }, expected: { kind: 'default-credential', account: 'prodbackups' } },
    { name: 'variable trimmed', lines: {}, env: { [ACCOUNT_ENV]: ' prodbackups\n' }, expected: { kind: 'default-credential', account: 'prodbackups' } },
    { name: 'empty key_file counts as unset', lines: { key_file: '' }, env: { [ACCOUNT_ENV]: 'acct1' }, expected: { kind: 'default-credential', account: 'acct1' } },
    { name: 'no key file, no variable', lines: {}, env: {}, expected: /AZURE_STORAGE_ACCOUNT environment variable, which is not set/ },
    { name: 'no key file, empty variable', lines: {}, env: { [ACCOUNT_ENV]: '  ' }, expected: /AZURE_STORAGE_ACCOUNT environment variable, which is not set/ },
    { name: 'a variable that would change the URL', lines: {}, env: { [ACCOUNT_ENV]: 'evil.example.com/x' }, expected: /\("evil\.example\.com\/x"\) is not a storage account name/ },
    { name: 'a variable with an @', lines: {}, env: { [ACCOUNT_ENV]: 'user@host' }, expected: /is not a storage account name/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = azureAuthFrom(storageSection({ ...base, ...c.lines }), c.env);
      if (c.expected instanceof RegExp) {
        assert.ok(isAuthProblem(got), `a problem, got ${JSON.stringify(got)}`);
        assert.equal(got.section, 'storage');
        assert.equal(got.key, 'key_file');
        assert.match(got.message, /^azure_blobs: /);
        assert.match(got.message, c.expected);
      } else {
        assert.deepEqual(got, c.expected);
      }
    });
  }

  test('the problem is one ConfigError line (exit 2) listed with the other [storage] problems', () => {
    assert.throws(
      () => azureSettingsFrom(storageSection({ ...base, multipart_chunksize: '5000MB' }), {}),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.exitCode, 2);
        assert.deepEqual(
          err.problems.map((p) => p.key),
          ['key_file', 'multipart_chunksize'],
        );
        assert.ok(!err.message.includes('\n'));
        return true;
      },
    );
  });
});

describe('Azure authentication: which endpoint', () => {
  // The same URL rule for both credentials; with default credentials the account is the variable's.
  const cases: Array<{ name: string; lines: Lines; url: string }> = [
    { name: 'public cloud', lines: {}, url: 'https://prodbackups.blob.core.windows.net/' },
    { name: 'sovereign cloud suffix in host', lines: { host: 'chinacloudapi.cn' }, url: 'https://prodbackups.blob.core.chinacloudapi.cn/' },
    { name: 'suffix and port', lines: { host: 'usgovcloudapi.net', port: 8443 }, url: 'https://prodbackups.blob.core.usgovcloudapi.net:8443/' },
    { name: 'emulator on an IP, TLS', lines: { host: '127.0.0.1', port: 10000, secure: true }, url: 'https://127.0.0.1:10000/prodbackups' },
    { name: 'emulator on localhost, plain HTTP', lines: { host: 'localhost', port: 10000, secure: false }, url: 'http://localhost:10000/prodbackups' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const settings = azureSettingsFrom(storageSection({ ...base, ...c.lines }), { [ACCOUNT_ENV]: 'prodbackups' });
      assert.deepEqual(settings.auth, { kind: 'default-credential', account: 'prodbackups' });
      assert.equal(accountUrl(settings, 'prodbackups'), c.url);
    });
  }
});

describe('Azure credential objects', () => {
  test('key file → Shared Key for the file\'s account', async () => {
    const keyFile = tempKeyFile('azure.json', JSON.stringify({ storage_account: 'fromfile', key: Buffer.from('k').toString('base64') }));
    const { account, credential } = await createAzureCredential('azure_blobs', { kind: 'shared-key', keyFile });
    assert.equal(account, 'fromfile');
    assert.ok(credential instanceof StorageSharedKeyCredential);
  });

  test('no key file → DefaultAzureCredential (a token credential, nothing requested yet)', async () => {
    const { account, credential } = await createAzureCredential('azure_blobs', { kind: 'default-credential', account: 'acct1' });
    assert.equal(account, 'acct1');
    assert.equal(credential.constructor.name, 'DefaultAzureCredential');
    assert.equal(typeof (credential as { getToken?: unknown }).getToken, 'function');
  });
});

describe('Azure credential failures: one line, never retried', () => {
  const unavailable = (message: string): Error => Object.assign(new Error(message), { name: 'CredentialUnavailableError' });
  // The messages @azure/identity 4.13 gives on a machine with no Azure identity at all.
  const chain = [
    'EnvironmentCredential is unavailable. No underlying credential could be used. To troubleshoot, visit https://aka.ms/azsdk/js/identity/environmentcredential/troubleshoot.',
    'ManagedIdentityCredential: Authentication failed. Message Attempted to use the IMDS endpoint, but it is not available.',
    'Azure CLI could not be found. Please visit https://aka.ms/azure-cli for installation instructions and then, once installed, authenticate to your Azure account using \'az login\'.',
    'Error: Unable to execute PowerShell. Ensure that it is installed in your system. To troubleshoot, visit https://aka.ms/azsdk/js/identity/powershellcredential/troubleshoot.',
  ].map(unavailable);
  const aggregate = Object.assign(new Error(`ChainedTokenCredential authentication failed.\n${chain.map((e) => `${e.name}: ${e.message}`).join('\n')}`), {
    name: 'AggregateAuthenticationError',
    errors: chain,
  });

  test('no source gives a token: each source\'s answer, no links, one line', () => {
    const mapped = mapAzureError('azure_blobs', 'list azure://medusa/index/', aggregate, 'default-credential');
    assert.ok(mapped instanceof PermissionError);
    assert.equal(
      mapped.message,
      'azure_blobs: list azure://medusa/index/: no Azure credential available: key_file is not set and DefaultAzureCredential found none ' +
        '(EnvironmentCredential is unavailable. No underlying credential could be used; ' +
        'ManagedIdentityCredential: Authentication failed. Attempted to use the IMDS endpoint, but it is not available; ' +
        'Azure CLI could not be found; Unable to execute PowerShell)',
    );
  });

  test('a token endpoint refusing the connection is still a credential failure, not a retryable one', () => {
    const err = unavailable('ManagedIdentityCredential: Network unreachable. Message: connect ECONNREFUSED 127.0.0.1:1');
    const mapped = mapAzureError('azure_blobs', 'get azure://medusa/k', err, 'default-credential');
    assert.ok(mapped instanceof PermissionError && !(mapped instanceof TransientStorageError));
    assert.match(mapped.message, /^azure_blobs: get azure:\/\/medusa\/k: no Azure credential available: ManagedIdentityCredential: Network unreachable/);
  });

  test('a source that answers with an error (wrong client secret) is named with its cause', () => {
    const err = Object.assign(new Error('invalid_client Status code: 401\nMore details:\nAADSTS7000215: Invalid client secret provided.,'), { name: 'AuthenticationError', statusCode: 401 });
    const mapped = mapAzureError('azure_blobs', 'list azure://medusa/', err, 'default-credential');
    assert.ok(mapped instanceof PermissionError);
    assert.equal(mapped.message, 'azure_blobs: list azure://medusa/: the Azure credential could not get a token: invalid_client Status code: 401 More details: AADSTS7000215: Invalid client secret provided');
  });

  test('a token the service refuses, or an identity without a data role, is worded for tokens', () => {
    const rest = (code: string, message: string): Error => Object.assign(new Error(message), { name: 'RestError', statusCode: 403, code });
    const refused = mapAzureError('azure_blobs', 'x', rest('AuthenticationFailed', 'Invalid token audience.\nRequestId:1'), 'default-credential');
    assert.ok(refused instanceof PermissionError);
    assert.equal(refused.message, 'azure_blobs: x: the access token from the default Azure credentials was refused (Invalid token audience.)');
    assert.match(mapAzureError('azure_blobs', 'x', rest('AuthenticationFailed', 'm'), 'shared-key').message, /account key was refused \(check key_file\)/);
    assert.match(mapAzureError('azure_blobs', 'x', rest('AuthorizationPermissionMismatch', 'm'), 'default-credential').message, /no data role/);
  });

  test('reasons are capped and never empty', () => {
    assert.equal(credentialReason(''), 'no details given');
    assert.ok(credentialReason('x'.repeat(500)).length <= 200);
    assert.equal(credentialReason('  A.\n\n B.  C. '), 'A. B');
  });
});
