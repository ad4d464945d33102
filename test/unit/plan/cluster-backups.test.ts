import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NodeBackup } from '../../../src/domain/backups.js';
import type { TokenMap, TokenMapHost } from '../../../src/domain/tokenmap.js';
import { assembleClusterBackup, latestBackup, latestCompleteBackup } from '../../../src/plan/cluster-backups.js';
import { readIndexListing } from '../../../src/plan/index-listing.js';

function nb(fqdn: string, started: number, finished?: number, name = 'b1', differential = true): NodeBackup {
  return { name, fqdn, started, differential, tokenmapIndexKey: `index/backup_index/${name}/tokenmap_${fqdn}.json`, ...(finished !== undefined ? { finished } : {}) };
}

function ring(...hosts: string[]): TokenMap {
  return new Map<string, TokenMapHost>(hosts.map((h, i) => [h, { tokens: [BigInt(i)], is_up: true, dc: 'dc1' }]));
}

describe('cluster backup completeness (reference §3.4)', () => {
  const cases: Array<{
    name: string;
    nodes: NodeBackup[];
    tokenmap: TokenMap;
    complete: boolean;
    finished?: number;
    missing?: string[];
    incomplete?: string[];
    unexpected?: string[];
  }> = [
    { name: 'all nodes finished', nodes: [nb('n1', 10, 20), nb('n2', 11, 25)], tokenmap: ring('n1', 'n2'), complete: true, finished: 25 },
    { name: 'one node unfinished', nodes: [nb('n1', 10, 20), nb('n2', 11)], tokenmap: ring('n1', 'n2'), complete: false, incomplete: ['n2'] },
    { name: 'missing node', nodes: [nb('n1', 10, 20)], tokenmap: ring('n1', 'n2', 'n0'), complete: false, missing: ['n0', 'n2'] },
    {
      name: 'unfinished node of another DC does not make it incomplete',
      nodes: [nb('n1', 10, 20), nb('other-dc', 12)],
      tokenmap: ring('n1'),
      complete: true,
      finished: 20,
      unexpected: ['other-dc'],
      incomplete: [],
    },
    { name: 'no expected node at all', nodes: [nb('x', 1, 2)], tokenmap: ring('n1'), complete: false, missing: ['n1'], unexpected: ['x'] },
  ];
  test('a finished node of another DC counts toward neither started nor finished (Medusa 0.31)', () => {
    const judged = assembleClusterBackup('b1', [nb('n1', 10, 20), nb('other-dc', 9, 99)], ring('n1'));
    assert.equal(judged.complete, true);
    assert.equal(judged.started, 10);
    assert.equal(judged.finished, 20);
    assert.deepEqual(judged.unexpectedNodes.map((n) => n.fqdn), ['other-dc']);
  });
  test('with no expected node backup, started is the earliest of all (Medusa 0.31 crashes)', () => {
    assert.equal(assembleClusterBackup('b1', [nb('x', 7, 8), nb('y', 5)], ring('n1')).started, 5);
  });
  for (const c of cases) {
    test(c.name, () => {
      const backup = assembleClusterBackup('b1', c.nodes, c.tokenmap);
      assert.equal(backup.complete, c.complete);
      assert.equal(backup.finished, c.finished);
      assert.deepEqual(backup.missingNodes, c.missing ?? []);
      assert.deepEqual(backup.incompleteNodes.map((n) => n.fqdn), c.incomplete ?? []);
      if (c.unexpected) assert.deepEqual(backup.unexpectedNodes.map((n) => n.fqdn), c.unexpected);
    });
  }
  test('node counts cover tokenmap hosts only, in tokenmap order', () => {
    const backup = assembleClusterBackup('b1', [nb('a', 1, 5), nb('b', 2), nb('c', 3, 6), nb('x', 0)], ring('c', 'b', 'a'));
    assert.deepEqual(backup.completeNodes.map((n) => n.fqdn), ['c', 'a']);
    assert.deepEqual(backup.incompleteNodes.map((n) => n.fqdn), ['b']);
  });
  test('backup type follows the node that started first', () => {
    assert.equal(assembleClusterBackup('b', [nb('n2', 5, 6, 'b', false), nb('n1', 7, 8, 'b', true)], ring('n1', 'n2')).backupType, 'full');
  });
});

describe('latest backups', () => {
  const a = assembleClusterBackup('a', [nb('n1', 10, 50, 'a')], ring('n1'));
  const b = assembleClusterBackup('b', [nb('n1', 20, 40, 'b')], ring('n1'));
  const c = assembleClusterBackup('c', [nb('n1', 30, undefined, 'c')], ring('n1'));
  test('latest complete is the one that finished last', () => assert.equal(latestCompleteBackup([c, b, a])?.name, 'a'));
  test('latest is the one that started last, complete or not', () => assert.equal(latestBackup([a, b, c])?.name, 'c'));
  test('none', () => assert.equal(latestCompleteBackup([c]), undefined));
});

describe('readIndexListing', () => {
  const at = (s: number): Date => new Date(s * 1000);
  test('groups entries, needs the tokenmap entry, reads times from names', () => {
    const listing = [
      { key: 'p/index/backup_index/b1/tokenmap_h_1.json', lastModified: at(1) },
      { key: 'p/index/backup_index/b1/started_h_1_100.timestamp', lastModified: at(1) },
      { key: 'p/index/backup_index/b1/finished_h_1_200.timestamp', lastModified: at(1) },
      { key: 'p/index/backup_index/b1/differential_h_1', lastModified: at(1) },
      { key: 'p/index/backup_index/b1/started_orphan_100.timestamp', lastModified: at(1) },
      { key: 'p/index/backup_index/b10/tokenmap_h.json', lastModified: at(1) },
      { key: 'p/index/backup_index/b10/incremental_h', lastModified: at(1) },
      { key: 'p/index/backup_index/b10/manifest_h.json', lastModified: at(300) },
      { key: 'p/index/backup_index/weird', lastModified: at(1) },
    ];
    const { nodeBackups, unexpectedKeys } = readIndexListing({ prefix: 'p' }, listing.map((l) => l.key));
    assert.deepEqual(unexpectedKeys, ['p/index/backup_index/weird']);
    assert.deepEqual(nodeBackups, [
      { name: 'b1', fqdn: 'h_1', differential: true, tokenmapIndexKey: 'p/index/backup_index/b1/tokenmap_h_1.json', started: 100, finished: 200 },
      { name: 'b10', fqdn: 'h', differential: true, tokenmapIndexKey: 'p/index/backup_index/b10/tokenmap_h.json', manifestIndexKey: 'p/index/backup_index/b10/manifest_h.json' },
    ]);
  });
});
