import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Manifest } from '../../../src/domain/manifest.js';
import { describeVerifyProblem, hashesMatch, planVerify, type StoredObject } from '../../../src/plan/verify-plan.js';

const manifest: Manifest = [
  {
    keyspace: 'ks',
    columnfamily: 't-1',
    objects: [
      { path: 'n/b/data/ks/t-1/a-Data.db', MD5: 'd41d8cd98f00b204e9800998ecf8427e', size: 0 },
      { path: 'n/b/data/ks/t-1/a-Statistics.db', MD5: 'x', size: 5 },
      { path: 'n/b/data/ks/t-1/a-Summary.db', MD5: null, size: 7 },
      { path: 'n/b/data/ks/t-1/a-Index.db', MD5: null, size: 3 },
    ],
  },
];

describe('planVerify', () => {
  test('a consistent backup has no problem', () => {
    const stored = new Map<string, StoredObject>([
      ['n/b/data/ks/t-1/a-Data.db', { size: 0, hash: '1B2M2Y8AsgTpgAmY7PhCfg==' }],
      ['n/b/data/ks/t-1/a-Summary.db', { size: 7 }],
      ['n/b/data/ks/t-1/a-Index.db', { size: 3 }],
    ]);
    assert.deepEqual(planVerify(manifest, stored, { differential: false, checkHashes: true }), { problems: [], summaryMismatches: [] });
  });
  test('missing, different, Summary only warned, Statistics ignored, extras of full backups', () => {
    const stored = new Map<string, StoredObject>([
      ['n/b/data/ks/t-1/a-Data.db', { size: 0, hash: 'ffffffffffffffffffffffffffffffff' }],
      ['n/b/data/ks/t-1/a-Summary.db', { size: 8 }],
      ['n/b/data/ks/t-1/zz-Data.db', { size: 1 }],
      ['n/b/data/ks/t-1/zz-Statistics.db', { size: 1 }],
    ]);
    const full = planVerify(manifest, stored, { differential: false, checkHashes: true });
    assert.deepEqual(full.problems.map(describeVerifyProblem), [
      '  - [n/b/data/ks/t-1/a-Data.db] Blob different',
      "  - [n/b/data/ks/t-1/a-Index.db] Doesn't exists",
      '  - [n/b/data/ks/t-1/zz-Data.db] exists in storage, but not in manifest',
    ]);
    assert.deepEqual(full.summaryMismatches, ['n/b/data/ks/t-1/a-Summary.db']);
    const noHashes = planVerify(manifest, stored, { differential: true, checkHashes: false });
    assert.deepEqual(noHashes.problems.map((p) => p.kind), ['missing']);
  });
  test('an object the store lists without a hash (GCS without md5Hash, Medusa 0.31) is compared by size', () => {
    const one: Manifest = [{ keyspace: 'ks', columnfamily: 't-1', objects: [{ path: 'n/data/ks/t-1/a-Data.db', MD5: 'R7zlx09Yn0hn29V+nKn4CA==', size: 3 }] }];
    const check = (size: number): string[] =>
      planVerify(one, new Map([['n/data/ks/t-1/a-Data.db', { size }]]), { differential: true, checkHashes: true }).problems.map((p) => p.kind);
    assert.deepEqual(check(3), []);
    assert.deepEqual(check(4), ['different']);
  });
  test('with hash checks a Statistics.db overwritten with other bytes is named (a missing one is still not, as in Medusa)', () => {
    const withStats = (s: StoredObject | undefined) => new Map<string, StoredObject>([
      ['n/b/data/ks/t-1/a-Data.db', { size: 0, hash: 'd41d8cd98f00b204e9800998ecf8427e' }],
      ['n/b/data/ks/t-1/a-Summary.db', { size: 7 }],
      ['n/b/data/ks/t-1/a-Index.db', { size: 3 }],
      ...(s ? [['n/b/data/ks/t-1/a-Statistics.db', s] as const] : []),
    ]);
    const lines = (s: StoredObject | undefined, checkHashes: boolean) => planVerify(manifest, withStats(s), { differential: true, checkHashes }).problems.map(describeVerifyProblem);
    assert.deepEqual(lines({ size: 5, hash: 'y' }, true), ['  - [n/b/data/ks/t-1/a-Statistics.db] Blob different']);
    assert.deepEqual(lines({ size: 6, hash: 'x' }, true), ['  - [n/b/data/ks/t-1/a-Statistics.db] Blob different']);
    assert.deepEqual(lines({ size: 5, hash: 'x' }, true), []);
    assert.deepEqual(lines(undefined, true), []);
    assert.deepEqual(lines({ size: 6, hash: 'y' }, false), [], 'without hash checks: as Medusa, never checked');
  });
});

describe('hashesMatch', () => {
  const cases: Array<[string, string, boolean]> = [
    ['d41d8cd98f00b204e9800998ecf8427e', '1B2M2Y8AsgTpgAmY7PhCfg==', true],
    ['1B2M2Y8AsgTpgAmY7PhCfg==', 'D41D8CD98F00B204E9800998ECF8427E', true],
    ['abc-2', 'abc-2', true],
    ['abc-2', 'abc-3', false],
    ['d41d8cd98f00b204e9800998ecf8427e', 'd41d8cd98f00b204e9800998ecf8427e-1', false],
    ['no-md5-hash', 'something', false],
  ];
  for (const [a, b, expected] of cases) test(`${a} vs ${b}`, () => assert.equal(hashesMatch(a, b), expected));
});
