import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  countPlan,
  pendingHashChecks,
  planBackupUploads,
  reusedManifestObject,
  settleHashChecks,
  type LocalTable,
  type PoolObject,
} from '../../../src/plan/backup-plan.js';

const table: LocalTable = {
  keyspace: 'ks',
  tableDir: 't-1',
  files: [
    { relativePath: '.t_idx/nb-1-big-Data.db', path: '/d/ks/t-1/snapshots/s/.t_idx/nb-1-big-Data.db', size: 10 },
    { relativePath: 'nb-1-big-Data.db', path: '/d/ks/t-1/snapshots/s/nb-1-big-Data.db', size: 100 },
    { relativePath: 'nb-1-big-Rows.db', path: '/d/ks/t-1/snapshots/s/nb-1-big-Rows.db', size: 0 },
    { relativePath: 'nb-2-big-Data.db', path: '/d/ks/t-1/snapshots/s/nb-2-big-Data.db', size: 7 },
  ],
};
const keyOf = (t: LocalTable, f: { relativePath: string }): string => `n/data/${t.keyspace}/${t.tableDir}/${f.relativePath}`;
const pool = (entries: PoolObject[]): Map<string, PoolObject> => new Map(entries.map((e) => [e.key, e]));

describe('planBackupUploads', () => {
  const cases: Array<{ name: string; differential: boolean; checkHashes: boolean; pool: PoolObject[]; actions: string[] }> = [
    { name: 'full mode uploads everything, whatever the pool holds', differential: false, checkHashes: true,
      pool: [{ key: 'n/data/ks/t-1/nb-1-big-Data.db', size: 100, hash: 'h' }], actions: ['upload', 'upload', 'upload', 'upload'] },
    { name: 'differential with an empty pool uploads everything', differential: true, checkHashes: false, pool: [], actions: ['upload', 'upload', 'upload', 'upload'] },
    { name: 'same key and size is reused (index dir and zero-byte files included)', differential: true, checkHashes: false,
      pool: [
        { key: 'n/data/ks/t-1/.t_idx/nb-1-big-Data.db', size: 10 },
        { key: 'n/data/ks/t-1/nb-1-big-Data.db', size: 100 },
        { key: 'n/data/ks/t-1/nb-1-big-Rows.db', size: 0 },
      ], actions: ['reuse', 'reuse', 'reuse', 'upload'] },
    { name: 'another size is re-uploaded', differential: true, checkHashes: false,
      pool: [{ key: 'n/data/ks/t-1/nb-1-big-Data.db', size: 99 }], actions: ['upload', 'reupload', 'upload', 'upload'] },
    { name: 'same name in another index dir or table is not a match', differential: true, checkHashes: false,
      pool: [{ key: 'n/data/ks/t-1/nb-1-big-Data.db.x', size: 100 }, { key: 'n/data/ks/t-2/nb-2-big-Data.db', size: 7 }, { key: 'n/data/ks/t-1/nb-1-big-Data.db/x', size: 10 }],
      actions: ['upload', 'upload', 'upload', 'upload'] },
    { name: 'hash checks: check only where the listing has a hash', differential: true, checkHashes: true,
      pool: [{ key: 'n/data/ks/t-1/nb-1-big-Data.db', size: 100, hash: 'abc' }, { key: 'n/data/ks/t-1/nb-2-big-Data.db', size: 7 }],
      actions: ['upload', 'check', 'upload', 'reuse'] },
    { name: 'hash checks off: a listed hash is ignored', differential: true, checkHashes: false,
      pool: [{ key: 'n/data/ks/t-1/nb-1-big-Data.db', size: 100, hash: 'abc' }], actions: ['upload', 'reuse', 'upload', 'upload'] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const plan = planBackupUploads({ tables: [table], differential: c.differential, pool: pool(c.pool), keyOf, checkHashes: c.checkHashes });
      assert.deepEqual(plan[0]!.files.map((f) => f.action), c.actions);
      assert.deepEqual(plan[0]!.files.map((f) => f.key), table.files.map((f) => keyOf(table, f)));
    });
  }

  test('settleHashChecks: matching hash (any MD5 encoding) reused, different or unknown re-uploaded', () => {
    const t2: LocalTable = { keyspace: 'ks', tableDir: 't-2', files: [
      { relativePath: 'a', path: '/a', size: 1 }, { relativePath: 'b', path: '/b', size: 1 },
      { relativePath: 'c', path: '/c', size: 1 }, { relativePath: 'd', path: '/d', size: 1 },
    ] };
    const hex = 'd41d8cd98f00b204e9800998ecf8427e';
    const b64 = '1B2M2Y8AsgTpgAmY7PhCfg==';
    const plan = planBackupUploads({ tables: [t2], differential: true, checkHashes: true, keyOf, pool: pool([
      { key: 'n/data/ks/t-2/a', size: 1, hash: hex },
      { key: 'n/data/ks/t-2/b', size: 1, hash: b64 },
      { key: 'n/data/ks/t-2/c', size: 1, hash: 'aaaa-2' },
      { key: 'n/data/ks/t-2/d', size: 1, hash: hex },
    ]) });
    assert.equal(pendingHashChecks(plan).length, 4);
    const settled = settleHashChecks(plan, new Map([
      ['n/data/ks/t-2/a', hex], ['n/data/ks/t-2/b', hex], ['n/data/ks/t-2/c', 'aaaa-3'], ['n/data/ks/t-2/d', undefined],
    ]));
    assert.deepEqual(settled[0]!.files.map((f) => f.action), ['reuse', 'reuse', 'reupload', 'reupload']);
    assert.deepEqual(countPlan(settled), { upload: 0, reupload: 2, reuse: 2, check: 0, uploadBytes: 2, reuseBytes: 2 });
  });

  test('a reused object keeps the stored key, size and hash; null when none was listed', () => {
    assert.deepEqual(reusedManifestObject({ key: 'k', size: 3, hash: 'h' }), { path: 'k', MD5: 'h', size: 3 });
    assert.deepEqual(reusedManifestObject({ key: 'k', size: 3 }), { path: 'k', MD5: null, size: 3 });
  });

  test('tables with no file keep an empty section', () => {
    const plan = planBackupUploads({ tables: [{ keyspace: 'ks', tableDir: 'e-1', files: [] }], differential: true, pool: new Map(), keyOf, checkHashes: false });
    assert.deepEqual(plan, [{ keyspace: 'ks', tableDir: 'e-1', files: [] }]);
  });
});
