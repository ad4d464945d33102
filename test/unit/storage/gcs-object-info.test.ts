// fake-gcs-server computes md5Hash for every object, composed ones included, so an object without
// one (a composite object on real GCS) can only be described here, from its metadata.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comparableCandidates, planBackupUploads, type LocalTable } from '../../../src/plan/backup-plan.js';
import { gcsObjectInfo } from '../../../src/storage/backends/gcs/index.js';

test('a GCS object with md5Hash carries it as its hash', () => {
  const info = gcsObjectInfo('k', { size: '3', updated: '2026-01-02T03:04:05.000Z', md5Hash: 'R7zlx09Yn0hn29V+nKn4CA==' });
  assert.deepEqual(info, { key: 'k', size: 3, lastModified: new Date('2026-01-02T03:04:05.000Z'), hash: 'R7zlx09Yn0hn29V+nKn4CA==' });
});

test('a GCS object without md5Hash has no hash, so a differential backup never reuses it (issue 13: Medusa 0.31 would, by size)', () => {
  const info = gcsObjectInfo('n/data/ks/t-1/nb-1-big-Data.db', { size: 3, updated: '2026-01-02T03:04:05.000Z' });
  assert.equal('hash' in info, false);
  const table: LocalTable = { keyspace: 'ks', tableDir: 't-1', files: [{ relativePath: 'nb-1-big-Data.db', path: '/d/nb-1-big-Data.db', size: 3 }] };
  const [plan] = planBackupUploads({
    tables: [table],
    differential: true,
    pool: [info],
    keyOf: () => info.key,
    identityOfKey: (key) => key,
    identityOfFile: () => info.key,
  });
  const decision = plan!.files[0]!;
  assert.equal(decision.action, 'check');
  assert.deepEqual(comparableCandidates(decision), [], 'a candidate without a hash is never compared, so never reused');
});
