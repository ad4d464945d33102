// The wire BackupSummary with Medusa 0.31's node accounting (medusa-agent.md §2, §5), GetBackups'
// overallStatus override order and its ordering: table tests of src/agent/summary.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backupSummary, byStartTime, overallStatus } from '../../../src/agent/summary.js';
import type { StatusType } from '../../../src/agent/wire.js';
import type { NodeBackup } from '../../../src/domain/backups.js';
import type { TokenMap, TokenMapHost } from '../../../src/domain/tokenmap.js';
import { assembleClusterBackup } from '../../../src/plan/cluster-backups.js';

function nb(fqdn: string, started: number, finished?: number, differential = false): NodeBackup {
  return { name: 'b', fqdn, started, differential, tokenmapIndexKey: `index/backup_index/b/tokenmap_${fqdn}.json`, ...(finished !== undefined ? { finished } : {}) };
}

const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;

function ring(entries: Array<[string, Partial<TokenMapHost>]>): TokenMap {
  return new Map(entries.map(([h, e], i) => [h, { tokens: [BigInt(i)], is_up: true, ...e }]));
}

/** The summary of the cluster backup `nodes` form; `sizes` by fqdn (objects = size / 100), 0 for others. */
function summarise(nodes: NodeBackup[], tokenmap: TokenMap, sizes: Record<string, number>): ReturnType<typeof backupSummary> {
  const backup = assembleClusterBackup('b', nodes, tokenmap);
  const size = (fqdn: string): number => sizes[fqdn] ?? 0;
  return backupSummary({ backup, nodes: backup.nodeBackups.map((nodeBackup) => ({ nodeBackup, size: size(nodeBackup.fqdn), numObjects: size(nodeBackup.fqdn) / 100 })) });
}

describe('BackupSummary (Medusa 0.31 accounting)', () => {
  test('complete backup: SUCCESS, latest finish, sums over finished tokenmap nodes, nodes in tokenmap order', () => {
    const tm = ring([['n2', { rack: 'r2', dc: 'dc1', tokens: [MIN, MAX] }], ['n1', { rack: 'r1', dc: 'dc1' }]]);
    const s = summarise([nb('n1', 100, 200), nb('n2', 90, 250)], tm, { n1: 1000, n2: 500 });
    assert.deepEqual(s, {
      backupName: 'b',
      startTime: '90',
      finishTime: '250',
      totalNodes: 2,
      finishedNodes: 2,
      nodes: [
        { host: 'n2', tokens: ['-9223372036854775808', '9223372036854775807'], datacenter: 'dc1', rack: 'r2' },
        { host: 'n1', tokens: ['1'], datacenter: 'dc1', rack: 'r1' },
      ],
      status: 'SUCCESS',
      backupType: 'full',
      totalSize: '1500',
      totalObjects: '15',
    });
  });

  const cases: Array<{ name: string; nodes: NodeBackup[]; tokenmap: TokenMap; totals: Record<string, number>; expect: Partial<ReturnType<typeof backupSummary>> }> = [
    {
      name: 'a node still running: IN_PROGRESS, finishTime 0, only the finished node counted',
      nodes: [nb('n1', 100, 200), nb('n2', 110)],
      tokenmap: ring([['n1', {}], ['n2', {}]]),
      totals: { n1: 700 },
      expect: { status: 'IN_PROGRESS', finishTime: '0', finishedNodes: 1, totalSize: '700', startTime: '100' },
    },
    {
      name: 'a tokenmap host without a node backup: IN_PROGRESS, never FAILED',
      nodes: [nb('n1', 100, 200)],
      tokenmap: ring([['n1', {}], ['n2', {}]]),
      totals: { n1: 700 },
      expect: { status: 'IN_PROGRESS', finishTime: '0', totalNodes: 2, finishedNodes: 1 },
    },
    {
      name: 'a stray node (not in the tokenmap) counts nowhere: not in start, size or finished nodes (0.31)',
      nodes: [nb('n1', 100, 200), nb('stray', 50, 300)],
      tokenmap: ring([['n1', {}]]),
      totals: { n1: 700, stray: 99900 },
      expect: { status: 'SUCCESS', startTime: '100', finishTime: '200', totalNodes: 1, finishedNodes: 1, totalSize: '700', totalObjects: '7' },
    },
    {
      name: 'no tokenmap node backed up: started of all node backups (Medusa fails the whole listing here), nothing counted',
      nodes: [nb('stray', 50, 300)],
      tokenmap: ring([['n1', {}]]),
      totals: { stray: 100 },
      expect: { status: 'IN_PROGRESS', startTime: '50', finishTime: '0', finishedNodes: 0, totalSize: '0' },
    },
    {
      name: 'pre-2021 tokenmap without rack and dc: empty strings',
      nodes: [nb('n1', 100, 200, true)],
      tokenmap: new Map([['n1', { tokens: [5n], is_up: true }]]),
      totals: { n1: 100 },
      expect: { nodes: [{ host: 'n1', tokens: ['5'], datacenter: '', rack: '' }], backupType: 'differential' },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const s = summarise(c.nodes, c.tokenmap, c.totals);
      for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(s[k as keyof typeof s], v, k);
    });
  }
});

describe('GetBackups overallStatus and order', () => {
  const cases: Array<[StatusType[], StatusType]> = [
    [[], 'UNKNOWN'],
    [['SUCCESS', 'SUCCESS'], 'SUCCESS'],
    [['SUCCESS', 'IN_PROGRESS'], 'IN_PROGRESS'],
    [['IN_PROGRESS', 'FAILED'], 'FAILED'],
    [['FAILED', 'UNKNOWN', 'IN_PROGRESS'], 'UNKNOWN'],
  ];
  for (const [statuses, expected] of cases) {
    test(`[${statuses.join(', ')}] → ${expected}`, () => assert.equal(overallStatus(statuses.map((status) => ({ status }))), expected));
  }

  test('oldest first by startTime; ties keep the catalog order; int64 compared exactly', () => {
    const s = (backupName: string, startTime: string) => ({ ...summarise([nb('n1', 1, 2)], ring([['n1', {}]]), { n1: 100 }), backupName, startTime });
    const sorted = byStartTime([s('c', '9007199254740993'), s('a', '20'), s('b', '20'), s('d', '9007199254740992')]);
    assert.deepEqual(sorted.map((x) => x.backupName), ['a', 'b', 'd', 'c']);
  });
});
