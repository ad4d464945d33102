// fake-gcs-server computes md5Hash for every object, composed ones included, so an object without
// one (a composite object on real GCS) can only be described here, from its metadata.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planBackupUploads, reusedManifestObject, type LocalTable } from '../../../src/plan/backup-plan.js';
import { gcsObjectInfo } from '../../../src/storage/backends/gcs/index.js';

test('a GCS object with md5Hash carries it as its hash', () => {
  const info = gcsObjectInfo('k', { size: '3', updated: '2026-01-02T03:04:05.000Z', md5Hash: 'R7zlx09Yn0hn29V+nKn4CA==' });
  assert.deepEqual(info, { key: 'k', size: 3, lastModified: new Date('2026-01-02T03:04:05.000Z'), hash: 'R7zlx09Yn0hn29V+nKn4CA==' });
});

test('a GCS object without md5Hash has no hash, and a differential backup reuses it by size (Medusa 0.31)', () => {
  const info = gcsObjectInfo('n/data/ks/t-1/nb-1-big-Data.db', { size: 3, updated: '2026-01-02T03:04:05.000Z' });
  assert.equal('hash' in info, false);
  const table: LocalTable = { keyspace: 'ks', tableDir: 't-1', files: [{ relativePath: 'nb-1-big-Data.db', path: '/d/nb-1-big-Data.db', size: 3 }] };
  const [plan] = planBackupUploads({
    tables: [table],
    differential: true,
    pool: new Map([[info.key, info]]),
    keyOf: () => info.key,
    checkHashes: true,
  });
  const decision = plan!.files[0]!;
  assert.equal(decision.action, 'reuse');
  assert.deepEqual(reusedManifestObject(decision.stored!), { path: info.key, MD5: null, size: 3 });
});
