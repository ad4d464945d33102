import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listingPrefix } from '../../../src/storage/backends/s3/listing-prefix.js';

test('a prefix ending in a "." or ".." segment is listed from its folder; others are sent as they are', () => {
  const cases: ReadonlyArray<readonly [prefix: string, sent: string]> = [
    ['node1/b1/data/ks/users-1/.', 'node1/b1/data/ks/users-1/'],
    ['node1/b1/data/ks/users-1/..', 'node1/b1/data/ks/users-1/'],
    ['.', ''],
    ['..', ''],
    ['node1/b1/data/ks/users-1/.users_idx', 'node1/b1/data/ks/users-1/.users_idx'],
    ['node1/b1/data/ks/users-1/...', 'node1/b1/data/ks/users-1/...'],
    ['index/backup_index/', 'index/backup_index/'],
    ['a/./b', 'a/./b'],
    ['file.', 'file.'],
    ['', ''],
  ];
  for (const [prefix, sent] of cases) assert.equal(listingPrefix(prefix), sent, prefix);
});
