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
import { MemoryBackend } from '../../../src/storage/backends/memory.js';
import { TransientStorageError } from '../../../src/storage/errors.js';
import { withLogging } from '../../../src/storage/wrappers/with-logging.js';
import { withRetry } from '../../../src/storage/wrappers/with-retry.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FaultyBackend } from '../../support/faulty-storage.js';

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

  test('with a log: every attempt at DEBUG, retries at WARNING', async () => {
    const lines: string[] = [];
    const log = { debugEnabled: true, debug: (m: string) => lines.push(`DEBUG ${m}`), warning: (m: string) => lines.push(`WARNING ${m}`) };
    const faulty = new FaultyBackend(new MemoryBackend());
    faulty.inject({ operation: 'stat', error: () => new TransientStorageError('503 Slow Down') });
    const backend = withRetry(withLogging(faulty, log), { clock: new FakeClock(), random: () => 1, onRetry: (e) => log.warning(`${e.operation} ${e.target} attempt ${e.attempt}: ${e.error.message}`) });
    assert.equal(await backend.stat('a/b'), undefined);
    await backend.put('a/b', { kind: 'bytes', data: Buffer.from('xyz') });
    for await (const _ of backend.list('a/')) void _;
    assert.match(lines[0] ?? '', /^DEBUG memory: stat a\/b failed in \d+ ms: 503 Slow Down$/);
    assert.equal(lines[1], 'WARNING stat a/b attempt 1: 503 Slow Down');
    assert.match(lines[2] ?? '', /^DEBUG memory: stat a\/b ok missing in \d+ ms$/);
    assert.match(lines[3] ?? '', /^DEBUG memory: put a\/b \(3 bytes\) ok hash d16fb36f0911f878998c136191af705e in \d+ ms$/);
    assert.match(lines[4] ?? '', /^DEBUG memory: list a\/ ok, 1 objects in \d+ ms$/);
  });

  test('openStorage with a log stays quiet on a clean run when DEBUG is off', async () => {
    const base = await mkdtemp(join(tmpdir(), 'medusa-open-log-'));
    try {
      const lines: string[] = [];
      const log = { debugEnabled: false, debug: (m: string) => lines.push(m), warning: (m: string) => lines.push(m) };
      const storage = { storage_provider: 'local', bucket_name: 'b', base_path: base, transfer_max_bandwidth: 0 } as StorageSection;
      const backend = await openStorage({ storage }, { log });
      await backend.put('k', { kind: 'bytes', data: Buffer.from('v') });
      assert.deepEqual(lines, [], 'nothing at INFO/WARNING for a clean run, DEBUG lines skipped when disabled');
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  test('the process budget is one bucket; the latest configured rate wins', () => {
    const a = processBandwidth(1000);
    const b = processBandwidth(2000);
    assert.equal(a, b);
    assert.equal(a.bytesPerSecond, 2000);
  });
});
