import assert from 'node:assert/strict';
import { contentTag, parseDataRest, tableSegment, type DataKeyParts } from '../../../src/layout/pool-keys.js';
import { describe, test } from 'node:test';
import {
  dataKey,
  indexKey,
  latestBackupKey,
  metaKey,
  parseIndexKey,
  parseMetaKey,
  type IndexEntry,
} from '../../../src/layout/keys.js';
import { InvalidSegmentError } from '../../../src/layout/segments.js';

describe('layout keys are built as reference §3.1 says', () => {
  const cases: Array<[string, string, string]> = [
    ['meta without prefix', metaKey({}, 'node1', 'b1', 'schema.cql'), 'node1/b1/meta/schema.cql'],
    ['meta with prefix', metaKey({ prefix: 'clusterA' }, 'node1', 'b1', 'manifest.json'), 'clusterA/node1/b1/meta/manifest.json'],
    ['full data', dataKey({}, 'n1', 'b1', false, 'ks', 't-1a', 'nb-1-big-Data.db'), 'n1/b1/data/ks/t-1a/nb-1-big-Data.db'],
    ['differential data in the pool', dataKey({ prefix: 'p' }, 'n1', 'b1', true, 'ks', 't-1a', 'nb-1-big-Data.db'), 'p/n1/data/ks/t-1a/nb-1-big-Data.db'],
    ['secondary index file', dataKey({}, 'n1', 'b1', true, 'ks', 't-1a', '.t_v_idx/nb-1-big-Index.db'), 'n1/data/ks/t-1a/.t_v_idx/nb-1-big-Index.db'],
    ['index tokenmap', indexKey({}, { kind: 'tokenmap', backupName: 'b1', fqdn: 'n_1' }), 'index/backup_index/b1/tokenmap_n_1.json'],
    ['index started', indexKey({ prefix: 'p' }, { kind: 'started', backupName: 'b1', fqdn: 'n1', epoch: 1700000000 }), 'p/index/backup_index/b1/started_n1_1700000000.timestamp'],
    ['index differential', indexKey({}, { kind: 'differential', backupName: 'b1', fqdn: 'n1' }), 'index/backup_index/b1/differential_n1'],
    ['latest backup', latestBackupKey({ prefix: 'p' }, '10.0.0.1', 'backup_name.txt'), 'p/index/latest_backup/10.0.0.1/backup_name.txt'],
  ];
  for (const [name, actual, expected] of cases) test(name, () => assert.equal(actual, expected));
});

describe('parseIndexKey', () => {
  const cases: Array<[string, string | undefined, string, IndexEntry | undefined]> = [
    ['tokenmap', undefined, 'index/backup_index/b1/tokenmap_node1.json', { kind: 'tokenmap', backupName: 'b1', fqdn: 'node1' }],
    ['fqdn with underscores in a timestamp name', undefined, 'index/backup_index/b1/finished_my_host_1_1700000123.timestamp', { kind: 'finished', backupName: 'b1', fqdn: 'my_host_1', epoch: 1700000123 }],
    ['fqdn with underscores', undefined, 'index/backup_index/b1/schema_a_b.cql', { kind: 'schema', backupName: 'b1', fqdn: 'a_b' }],
    ['legacy incremental marker', undefined, 'index/backup_index/b1/incremental_node1', { kind: 'incremental', backupName: 'b1', fqdn: 'node1' }],
    ['with prefix', 'p', 'p/index/backup_index/b10/manifest_127.0.0.10.json', { kind: 'manifest', backupName: 'b10', fqdn: '127.0.0.10' }],
    ['wrong prefix', 'p', 'q/index/backup_index/b1/tokenmap_n.json', undefined],
    ['too many segments', undefined, 'index/backup_index/b1/x/tokenmap_n.json', undefined],
    ['too few segments', undefined, 'index/backup_index/tokenmap_n.json', undefined],
    ['unknown file', undefined, 'index/backup_index/b1/readme.txt', undefined],
    ['wrong extension', undefined, 'index/backup_index/b1/tokenmap_n.txt', undefined],
    ['empty fqdn', undefined, 'index/backup_index/b1/tokenmap_.json', undefined],
  ];
  for (const [name, prefix, key, expected] of cases) {
    test(name, () => assert.deepEqual(parseIndexKey({ prefix }, key), expected));
  }
  test('round trip of every kind', () => {
    const entries: IndexEntry[] = [
      { kind: 'tokenmap', backupName: 'b', fqdn: 'h' },
      { kind: 'schema', backupName: 'b', fqdn: 'h' },
      { kind: 'manifest', backupName: 'b', fqdn: 'h' },
      { kind: 'differential', backupName: 'b', fqdn: 'h' },
      { kind: 'started', backupName: 'b', fqdn: 'h_2', epoch: 5 },
      { kind: 'finished', backupName: 'b', fqdn: 'h', epoch: 6 },
    ];
    for (const e of entries) assert.deepEqual(parseIndexKey({ prefix: 'x' }, indexKey({ prefix: 'x' }, e)), e);
  });
});

describe('parseMetaKey', () => {
  test('meta object of a backup', () =>
    assert.deepEqual(parseMetaKey({}, 'n1/b1/meta/schema.cql'), { fqdn: 'n1', backupName: 'b1', file: 'schema.cql' }));
  test('pool data is not meta', () => assert.equal(parseMetaKey({}, 'n1/data/meta/x/y'), undefined));
  test('index is not a node', () => assert.equal(parseMetaKey({}, 'index/b1/meta/x'), undefined));
  test('prefix respected', () => assert.equal(parseMetaKey({ prefix: 'p' }, 'n1/b1/meta/schema.cql'), undefined));
});

describe('names that would escape a folder are refused', () => {
  for (const bad of ['', '.', '..', 'a/b', 'a\\b', 'a\0b']) {
    test(JSON.stringify(bad), () => {
      assert.throws(() => metaKey({}, 'n1', bad, 'schema.cql'), InvalidSegmentError);
      assert.throws(() => metaKey({}, bad, 'b1', 'schema.cql'), InvalidSegmentError);
    });
  }
  test('../ inside an SSTable path', () => assert.throws(() => dataKey({}, 'n', 'b', true, 'ks', 't', '../../etc/passwd'), InvalidSegmentError));
});

describe('pool keys: plain and content-tagged', () => {
  const T = 't-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1';
  const M = '0123456789abcdef0123456789abcdef';
  const cases: Array<[string, string, DataKeyParts | undefined]> = [
    ['plain', `ks/${T}/nb-1-big-Data.db`, { keyspace: 'ks', tableDir: T, relativePath: 'nb-1-big-Data.db' }],
    ['plain index', `ks/${T}/.t_idx/nb-1-big-Data.db`, { keyspace: 'ks', tableDir: T, relativePath: '.t_idx/nb-1-big-Data.db' }],
    ['tagged', `ks/${T}~${M}/nb-1-big-Data.db`, { keyspace: 'ks', tableDir: T, relativePath: 'nb-1-big-Data.db', tag: M }],
    ['tagged, second attempt, index', `ks/${T}~${M}~2/.t_idx/nb-1-big-Data.db`, { keyspace: 'ks', tableDir: T, relativePath: '.t_idx/nb-1-big-Data.db', tag: `${M}~2` }],
    ['a sub-folder that is not an index', `ks/${T}/sub/nb-1-big-Data.db`, undefined],
    ['too short', `ks/nb-1-big-Data.db`, undefined],
    ['empty tag', `ks/${T}~/nb-1-big-Data.db`, undefined],
    ['empty segment', `ks//nb-1-big-Data.db`, undefined],
  ];
  for (const [name, rest, parts] of cases) test(`parseDataRest: ${name}`, () => assert.deepEqual(parseDataRest(rest), parts));

  test('dataKey with a tag round-trips through parseDataRest', () => {
    const key = dataKey({ prefix: 'p' }, 'n1', 'b', true, 'ks', T, '.t_idx/nb-3-big-Data.db', contentTag(M, 3));
    assert.equal(key, `p/n1/data/ks/${T}~${M}~3/.t_idx/nb-3-big-Data.db`);
    assert.deepEqual(parseDataRest(key.slice('p/n1/data/'.length)), { keyspace: 'ks', tableDir: T, relativePath: '.t_idx/nb-3-big-Data.db', tag: `${M}~3` });
  });

  test('contentTag refuses what is not a lower-case hex MD5 or a positive attempt', () => {
    assert.throws(() => contentTag('ABC'), RangeError);
    assert.throws(() => contentTag(M, 0), RangeError);
    assert.equal(tableSegment(T), T);
  });
});
