import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { endpointUrl, parseSharedCredentials, partSizeFor, readSharedCredentials, s3SettingsFrom } from '../../../src/storage/backends/s3/options.js';
import { ConfigError } from '../../../src/util/errors.js';
import { storageSection, tempKeyFile } from '../../support/object-store-env.js';

const MiB = 1024 * 1024;
const base = { bucket_name: 'b' };

describe('S3 settings from [storage]', () => {
  test('AWS: region default → us-east-1, no endpoint, TLS verified, SDK default credentials', () => {
    const s = s3SettingsFrom(storageSection({ ...base, storage_provider: 's3' }));
    assert.equal(s.region, 'us-east-1');
    assert.equal(s.endpoint, undefined);
    assert.equal(s.tlsVerify, true);
    assert.equal(s.forcePathStyle, false);
    assert.equal(s.keyFile, undefined);
    assert.equal(s.multipartThreshold, 20 * MiB);
    assert.equal(s.partSize, 50 * MiB);
    assert.equal(s.partConcurrency, 4);
    assert.equal(s.readTimeoutMs, 60_000);
  });

  test('legacy provider names map to their region; an explicit region wins', () => {
    assert.equal(s3SettingsFrom(storageSection({ ...base, storage_provider: 's3_us_west_oregon' })).region, 'us-west-2');
    assert.equal(s3SettingsFrom(storageSection({ ...base, storage_provider: 's3_us_west_oregon', region: 'eu-west-3' })).region, 'eu-west-3');
  });

  for (const provider of ['s3_compatible', 's3_rgw', 'ibm_storage']) {
    test(`${provider} gets the host/port endpoint (design §2.6), path style under auto`, () => {
      const s = s3SettingsFrom(storageSection({ ...base, storage_provider: provider, host: 'rgw.local', port: 7480, secure: false, ssl_verify: true }));
      assert.equal(s.endpoint, 'http://rgw.local:7480');
      assert.equal(s.region, 'us-east-1');
      assert.equal(s.forcePathStyle, true);
      assert.equal(s.tlsVerify, true);
    });
  }

  test('secure → https; ssl_verify defaults to False for compatible stores; virtual style honoured', () => {
    const s = s3SettingsFrom(storageSection({ ...base, storage_provider: 's3_compatible', host: 'minio', port: 9000, s3_addressing_style: 'virtual' }));
    assert.equal(s.endpoint, 'https://minio:9000');
    assert.equal(s.tlsVerify, false);
    assert.equal(s.forcePathStyle, false);
  });

  // Medusa 0.31 builds ibm_storage's endpoint as s3_compatible's, and with no port the URL has no
  // trailing ':' (0.30 gave 'proto://host:'). s3_rgw follows them too (design §2.6; Medusa gives it
  // none). AWS names get no endpoint.
  const flavours: Array<[provider: string, port: number | undefined, secure: boolean, endpoint: string | undefined, region: string]> = [
    ['s3', undefined, true, undefined, 'us-east-1'],
    ['s3_us_west_oregon', 9000, true, undefined, 'us-west-2'],
    ['s3_compatible', undefined, true, 'https://store.local', 'us-east-1'],
    ['s3_compatible', 9000, false, 'http://store.local:9000', 'us-east-1'],
    ['s3_rgw', undefined, false, 'http://store.local', 'us-east-1'],
    ['s3_rgw', 7480, true, 'https://store.local:7480', 'us-east-1'],
    ['ibm_storage', undefined, true, 'https://store.local', 'us-east-1'],
    ['ibm_storage', 443, true, 'https://store.local:443', 'us-east-1'],
    ['IBM_Storage', undefined, false, 'http://store.local', 'us-east-1'],
  ];
  for (const [provider, port, secure, endpoint, region] of flavours) {
    test(`${provider}, port ${String(port)}, secure ${String(secure)} → ${String(endpoint)} in ${region}`, () => {
      const s = s3SettingsFrom(storageSection({ ...base, storage_provider: provider, host: 'store.local', ...(port !== undefined && { port }), secure }));
      assert.equal(s.endpoint, endpoint);
      assert.equal(s.region, region);
    });
  }

  test('endpoint URL forms', () => {
    assert.equal(endpointUrl('::1', 9000, false), 'http://[::1]:9000');
    assert.equal(endpointUrl('s3.example.com', undefined, true), 'https://s3.example.com');
    assert.equal(endpointUrl('http://h/', 81, true), 'http://h:81');
  });

  test('options: KMS, SSE-C, storage class, read_timeout, profile', () => {
    const key = Buffer.alloc(32, 9).toString('base64');
    const s = s3SettingsFrom(
      storageSection({ ...base, storage_provider: 's3', kms_id: 'arn:aws:kms:k', storage_class: 'standard_ia', read_timeout: 7, api_profile: 'p' }),
    );
    assert.equal(s.kmsKeyId, 'arn:aws:kms:k');
    assert.equal(s3SettingsFrom(storageSection({ ...base, storage_provider: 's3', sse_c_key: key })).sseCustomerKey, key);
    assert.equal(s.storageClass, 'STANDARD_IA');
    assert.equal(s.readTimeoutMs, 7000);
    assert.equal(s.profile, 'p');
  });

  test('unusable settings are one ConfigError naming every key, without the secret', () => {
    const secret = 'not-a-32-byte-key';
    assert.throws(
      // Built past the config parser (which checks sse_c_key too), to prove the backend's own check.
      () => s3SettingsFrom({ ...storageSection({ ...base, storage_provider: 's3_rgw', multipart_chunksize: '1MB' }), sse_c_key: secret }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        const keys = err.problems.map((p) => p.key).sort();
        assert.deepEqual(keys, ['host', 'multipart_chunksize', 'sse_c_key']);
        assert.ok(!err.message.includes(secret));
        return true;
      },
    );
  });

  test('part size doubles until the file fits in 10,000 parts', () => {
    assert.equal(partSizeFor(100 * MiB, 50 * MiB), 50 * MiB);
    const size = 500 * 1024 ** 3;
    const part = partSizeFor(size, 50 * MiB);
    assert.equal(part, 100 * MiB);
    assert.ok(Math.ceil(size / part) <= 10_000);
  });
});

describe('AWS shared-credentials key file', () => {
  test('reads the default or the named profile', () => {
    const text = '[default]\naws_access_key_id = A\naws_secret_access_key = S\n[other]\naws_access_key_id = B\naws_secret_access_key = T\naws_session_token = X\n';
    assert.deepEqual(parseSharedCredentials(text), { accessKeyId: 'A', secretAccessKey: 'S' });
    assert.deepEqual(parseSharedCredentials(text, 'other'), { accessKeyId: 'B', secretAccessKey: 'T', sessionToken: 'X' });
    assert.match(parseSharedCredentials(text, 'nope') as string, /no \[nope\] section/);
    assert.match(parseSharedCredentials('[default]\naws_access_key_id = A\n') as string, /lacks/);
  });

  test('a missing or malformed file is a ConfigError naming the provider and the file', async () => {
    await assert.rejects(readSharedCredentials('s3', '/nonexistent/credentials'), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /key_file: s3: cannot read \/nonexistent\/credentials \(ENOENT\)/);
      return true;
    });
    const path = tempKeyFile('credentials', '{"json": "not ini"}');
    await assert.rejects(readSharedCredentials('s3_rgw', path), /s3_rgw: .*credentials.* has no \[default\] section/);
  });
});
