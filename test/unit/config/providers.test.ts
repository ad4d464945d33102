import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStorage, problemsOf, where } from './helpers.js';
import { providerKind, resolveRegion } from '../../../src/config/providers.js';

test('providers: accepted names, case-insensitive, lower-cased in the result', () => {
  const cases: [string, string][] = [
    ['local', 'local'],
    ['s3', 's3'],
    ['S3', 's3'],
    ['s3_compatible', 's3_compatible'],
    ['s3_rgw', 's3_rgw'],
    ['ibm_storage', 'ibm_storage'],
    ['google_storage', 'google_storage'],
    ['Azure_Blobs', 'azure_blobs'],
    ['s3_us_west_oregon', 's3'],
    ['s3_anything', 's3'],
  ];
  for (const [name, kind] of cases) assert.equal(providerKind(name), kind, name);
  for (const name of ['gcs', 'azure', 'minio', 'file', '']) assert.equal(providerKind(name), undefined, name);
  const { config } = parseStorage('storage_provider = Google_Storage\nbucket_name = b');
  assert.equal(config.storage.storage_provider, 'google_storage');
  assert.equal(config.storage.region, 'default', 'no region rule outside S3');
});

test('providers: unknown provider is an error listing the valid ones', () => {
  const [problem] = problemsOf(() => parseStorage('storage_provider = dropbox\nbucket_name = b'));
  assert.equal(problem?.key, 'storage_provider');
  assert.match(problem?.message ?? '', /^"dropbox" is not a storage provider; use one of local, s3, s3_compatible, s3_rgw, ibm_storage, google_storage, azure_blobs/);
});

test('providers: local requires base_path; s3_compatible requires host; rgw/ibm without host warn', () => {
  assert.deepEqual(where(problemsOf(() => parseStorage('storage_provider = local\nbucket_name = b'))), ['storage base_path']);
  assert.deepEqual(where(problemsOf(() => parseStorage('storage_provider = s3_compatible\nbucket_name = b'))), ['storage host']);
  const ok = parseStorage('storage_provider = s3_compatible\nbucket_name = b\nhost = 127.0.0.1\nport = 9000\nsecure = False');
  assert.equal(ok.config.storage.port, 9000);
  assert.equal(ok.config.storage.secure, false);
  const rgw = parseStorage('storage_provider = s3_rgw\nbucket_name = b');
  assert.deepEqual(rgw.warnings, ['[storage] host: not set, so storage_provider = s3_rgw will use the AWS S3 endpoint']);
});

test('regions: explicit wins; default → us-east-1 for s3 and S3-compatible stores (incl. rgw, ibm)', () => {
  const cases: [string, string, string][] = [
    ['s3', 'default', 'us-east-1'],
    ['s3', 'eu-west-3', 'eu-west-3'],
    ['s3_compatible', 'default', 'us-east-1'],
    ['s3_rgw', 'default', 'us-east-1'],
    ['ibm_storage', 'default', 'us-east-1'],
    ['s3_us_west_oregon', 'default', 'us-west-2'],
    ['S3_US_WEST_OREGON', 'default', 'us-west-2'],
    ['s3_eu_west', 'default', 'eu-west-1'],
    ['s3_ap_northeast2', 'default', 'ap-northeast-2'],
    ['s3_cn_northwest', 'default', 'cn-northwest-1'],
    ['s3_us_gov_west', 'default', 'us-gov-west-1'],
    ['s3_made_up', 'ca-central-1', 'ca-central-1'],
  ];
  for (const [provider, region, expected] of cases) {
    assert.deepEqual(resolveRegion(provider, region), { ok: true, region: expected }, `${provider} ${region}`);
  }
  assert.equal(resolveRegion('s3_made_up', 'default').ok, false);
});

test('regions: through the parser, legacy names map and unknown legacy names fail', () => {
  const legacy = parseStorage('storage_provider = s3_us_west_oregon\nbucket_name = b');
  assert.equal(legacy.config.storage.region, 'us-west-2');
  assert.equal(legacy.config.storage.storage_provider, 's3_us_west_oregon');
  const explicit = parseStorage('storage_provider = s3_made_up\nbucket_name = b\nregion = eu-central-1');
  assert.equal(explicit.config.storage.region, 'eu-central-1');
  const [problem] = problemsOf(() => parseStorage('storage_provider = s3_made_up\nbucket_name = b'));
  assert.equal(problem?.key, 'region');
  assert.match(problem?.message ?? '', /"s3_made_up" is not a known legacy S3 provider name/);
});

test('S3 encryption options: sse_c_key must be 32 bytes of base64, never quoted, and excludes kms_id', () => {
  const key = Buffer.alloc(32, 7).toString('base64');
  const ok = parseStorage(`storage_provider = s3\nbucket_name = b\nsse_c_key = ${key}`);
  assert.equal(ok.config.storage.sse_c_key, key);
  const bad = problemsOf(() => parseStorage('storage_provider = s3\nbucket_name = b\nsse_c_key = hunter2-secret'));
  assert.deepEqual(bad, [{ section: 'storage', key: 'sse_c_key', message: 'must be the base64 encoding of a 32-byte key' }]);
  const both = problemsOf(() => parseStorage(`storage_provider = s3\nbucket_name = b\nsse_c_key = ${key}\nkms_id = arn:aws:kms:x`));
  assert.equal(both.length, 1);
  assert.doesNotMatch(JSON.stringify(both), new RegExp(key.replace(/[+/=]/g, '.')));
});
