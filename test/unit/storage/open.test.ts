import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { StorageSection } from '../../../src/config/types.js';
import { bandwidthAppliesTo, openStorage, processBandwidth } from '../../../src/storage/open.js';
import { backendFamilyOf } from '../../../src/storage/registry.js';
import { RetryingBackend } from '../../../src/storage/wrappers/with-retry.js';
import { ConfigError } from '../../../src/util/errors.js';

describe('registry and openStorage', () => {
  test('provider names map to backend families as in Medusa', () => {
    const cases: Array<[string, string | undefined]> = [
      ['local', 'local'],
      ['s3', 's3'],
      ['s3_us_west_oregon', 's3'],
      ['s3_compatible', 's3'],
      ['s3_rgw', 's3'],
      ['ibm_storage', 's3'],
      ['google_storage', 'gcs'],
      ['azure_blobs', 'azure'],
      ['dropbox', undefined],
      ['', undefined],
    ];
    for (const [provider, family] of cases) assert.equal(backendFamilyOf(provider), family, provider);
  });

  test('an unknown provider is a ConfigError naming [storage] storage_provider', async () => {
    await assert.rejects(
      openStorage({ storage: { storage_provider: 'dropbox' } as StorageSection }),
      (err: unknown) => err instanceof ConfigError && /\[storage\] storage_provider: unknown provider "dropbox"/.test(err.message),
    );
  });

  test('local opens as retry(local), unthrottled; the budget applies to object stores', async () => {
    const base = await mkdtemp(join(tmpdir(), 'medusa-open-'));
    try {
      const storage = { storage_provider: 'local', bucket_name: 'b', base_path: base, transfer_max_bandwidth: 1 } as StorageSection;
      const backend = await openStorage({ storage });
      assert.ok(backend instanceof RetryingBackend);
      assert.equal(backend.unwrap().constructor.name, 'LocalBackend');
      await backend.put('a/b', { kind: 'bytes', data: Buffer.from('fast, despite a 1 B/s budget') });
      assert.equal(await readFile(join(base, 'b', 'a', 'b'), 'utf8'), 'fast, despite a 1 B/s budget');
      await backend.close();
    } finally {
      await rm(base, { recursive: true, force: true });
    }
    assert.equal(bandwidthAppliesTo('local'), false);
    for (const family of ['s3', 'gcs', 'azure'] as const) assert.equal(bandwidthAppliesTo(family), true);
  });

  test('the process budget is one bucket; the latest configured rate wins', () => {
    const a = processBandwidth(1000);
    const b = processBandwidth(2000);
    assert.equal(a, b);
    assert.equal(a.bytesPerSecond, 2000);
  });
});
