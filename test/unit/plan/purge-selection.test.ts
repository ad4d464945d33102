/**
 * Table tests of the purge selection (reference §6.1, design §2 items 3 and 5): age, count, both,
 * incomplete backups, grace period, prefixes, whole-segment matching of names and fqdns.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decommissionedNodes, nodeEvidencedBy } from '../../../src/plan/bucket-nodes.js';
import {
  latestPointerAfterPurge,
  planNodePurge,
  selectByRetention,
  type BackupPurgeReason,
  type ListedObject,
  type RetentionCandidate,
  type RetentionPolicy,
} from '../../../src/plan/purge-selection.js';

const DAY = 86_400;
const NOW = 1_800_000_000;

/** A backup that started `daysAgo` days before NOW. */
function b(name: string, daysAgo: number, complete = true): RetentionCandidate {
  return { name, started: NOW - daysAgo * DAY, complete };
}

function policy(maxBackupAgeDays: number, maxBackupCount: number): RetentionPolicy {
  return { maxBackupAgeDays, maxBackupCount };
}

/** name → reason kinds, for the purged backups. */
function purged(backups: RetentionCandidate[], p: RetentionPolicy): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const d of selectByRetention(backups, p, NOW).purge) out[d.backup.name] = d.reasons.map((r) => r.kind);
  return out;
}

describe('selectByRetention', () => {
  const cases: Array<{ name: string; backups: RetentionCandidate[]; policy: RetentionPolicy; purged: Record<string, string[]> }> = [
    { name: 'no limits: nothing goes', backups: [b('a', 100), b('b', 50)], policy: policy(0, 0), purged: {} },
    {
      name: 'age: only backups older than max_backup_age',
      backups: [b('a', 40), b('b', 31), b('c', 29), b('d', 1)],
      policy: policy(30, 0),
      purged: { a: ['age'], b: ['age'] },
    },
    {
      name: 'age: exactly max_backup_age days old is kept (strict, as Medusa)',
      backups: [b('a', 30), b('b', 1)],
      policy: policy(30, 0),
      purged: {},
    },
    {
      name: 'age: the newest complete backup stays even when too old',
      backups: [b('a', 90), b('b', 60), b('c', 45, false)],
      policy: policy(30, 0),
      purged: { a: ['age'], c: ['age'] },
    },
    {
      name: 'count: keeps the newest N complete',
      backups: [b('a', 5), b('b', 4), b('c', 3), b('d', 2), b('e', 1)],
      policy: policy(0, 2),
      purged: { a: ['count'], b: ['count'], c: ['count'] },
    },
    { name: 'count: not exceeded', backups: [b('a', 2), b('b', 1)], policy: policy(0, 2), purged: {} },
    {
      name: 'both: union, with both reasons where both apply',
      backups: [b('a', 50), b('b', 40), b('c', 3), b('d', 2), b('e', 1)],
      policy: policy(30, 4),
      purged: { a: ['age', 'count'], b: ['age'] },
    },
    {
      name: 'incomplete newest backup is not counted (Medusa issue #607: it purged a complete one)',
      backups: [b('a', 3), b('b', 2), b('interrupted', 1, false)],
      policy: policy(0, 2),
      purged: {},
    },
    {
      name: 'incomplete backups older than the newest complete one are dead weight under a count limit',
      backups: [b('a', 5), b('i1', 4, false), b('c', 3), b('i2', 2, false), b('d', 1), b('running', 0, false)],
      policy: policy(0, 2),
      purged: { a: ['count'], i1: ['incomplete'], i2: ['incomplete'] },
    },
    {
      name: 'without a count limit, young incomplete backups stay',
      backups: [b('i1', 4, false), b('c', 3)],
      policy: policy(30, 0),
      purged: {},
    },
    {
      name: 'no complete backup at all: the count purges nothing, the age still does',
      backups: [b('i1', 40, false), b('i2', 10, false), b('i3', 1, false)],
      policy: policy(30, 1),
      purged: { i1: ['age'] },
    },
    {
      name: 'count 1 keeps exactly the newest complete',
      backups: [b('a', 3), b('b', 2), b('c', 1)],
      policy: policy(0, 1),
      purged: { a: ['count'], b: ['count'] },
    },
    {
      name: 'names that are prefixes of others are distinct backups',
      backups: [b('b1', 3), b('b10', 2), b('b100', 1)],
      policy: policy(0, 2),
      purged: { b1: ['count'] },
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(purged(c.backups, c.policy), c.purged));
  }

  test('reasons carry the figures', () => {
    const sel = selectByRetention([b('a', 40), b('b', 2), b('c', 1)], policy(30, 1), NOW);
    assert.equal(sel.newestComplete?.name, 'c');
    assert.deepEqual(sel.keep.map((x) => x.name), ['c']);
    const reasons = sel.purge.find((d) => d.backup.name === 'a')?.reasons;
    assert.deepEqual(reasons, [
      { kind: 'age', maxAgeDays: 30, ageSeconds: 40 * DAY },
      { kind: 'count', maxCount: 1, rank: 3 },
    ] satisfies BackupPurgeReason[]);
  });

  test('the order of the input does not matter; ties on start are broken by name', () => {
    const backups = [b('z', 2), b('a', 2), b('m', 1)];
    const one = selectByRetention(backups, policy(0, 2), NOW);
    const two = selectByRetention([...backups].reverse(), policy(0, 2), NOW);
    assert.deepEqual(one.purge.map((d) => d.backup.name), ['a']);
    assert.deepEqual(two.purge.map((d) => d.backup.name), ['a']);
  });
});

/** A listed object modified `daysAgo` days before NOW. */
function obj(key: string, daysAgo = 100, size = 10): ListedObject {
  return { key, size, lastModified: new Date((NOW - daysAgo * DAY) * 1000) };
}

/** The objects and index keys of one differential node backup, spelled out as in reference §3.1. */
function nodeBackupKeys(p: string, fqdn: string, name: string, finished = true): { objects: ListedObject[]; index: string[] } {
  const meta = ['schema.cql', 'tokenmap.json', 'server_version.json', 'differential', ...(finished ? ['manifest.json'] : [])];
  const idx = `${p}index/backup_index/${name}/`;
  return {
    objects: meta.map((f) => obj(`${p}${fqdn}/${name}/meta/${f}`)),
    index: [
      `${idx}tokenmap_${fqdn}.json`,
      `${idx}schema_${fqdn}.cql`,
      `${idx}started_${fqdn}_1700000000.timestamp`,
      `${idx}differential_${fqdn}`,
      ...(finished ? [`${idx}manifest_${fqdn}.json`, `${idx}finished_${fqdn}_1700000600.timestamp`] : []),
    ],
  };
}

const T = 'users-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1';

describe('planNodePurge', () => {
  for (const prefix of ['', 'tenant-a']) {
    const p = prefix ? `${prefix}/` : '';
    const layout = { prefix };
    test(`purging b1 never touches b10 (prefix "${prefix}")`, () => {
      const b1 = nodeBackupKeys(p, 'n1', 'b1');
      const b10 = nodeBackupKeys(p, 'n1', 'b10');
      const plan = planNodePurge({
        layout,
        fqdn: 'n1',
        nodeObjects: [...b1.objects, ...b10.objects, obj(`${p}n1/b1/data/ks/${T}/nb-1-big-Data.db`, 100, 500)],
        indexKeys: [...b1.index, ...b10.index],
        purge: [{ backup: { name: 'b1' }, reasons: [{ kind: 'requested' }] }],
        referencedPaths: new Set(),
        graceDays: 10,
        nowSeconds: NOW,
      });
      const [only] = plan.backups;
      assert.ok(only);
      const all = [...only.unfinish, ...only.content, ...only.last];
      assert.equal(all.length, 5 + 1 + 6);
      for (const key of all) assert.ok(!key.includes('b10'), key);
      assert.deepEqual(only.unfinish, [
        `${p}n1/b1/meta/manifest.json`,
        `${p}index/backup_index/b1/finished_n1_1700000600.timestamp`,
        `${p}index/backup_index/b1/manifest_n1.json`,
      ]);
      assert.equal(only.last[0], `${p}n1/b1/meta/schema.cql`);
      assert.ok(only.content.includes(`${p}n1/b1/data/ks/${T}/nb-1-big-Data.db`));
      assert.equal(only.objects, 6);
      assert.equal(only.size, 5 * 10 + 500);
      assert.equal(plan.objects, 6);
    });

    test(`fqdn 127.0.0.1 never touches 127.0.0.10 (prefix "${prefix}")`, () => {
      const a = nodeBackupKeys(p, '127.0.0.1', 'b1');
      const c = nodeBackupKeys(p, '127.0.0.10', 'b1');
      const plan = planNodePurge({
        layout,
        fqdn: '127.0.0.1',
        // A listing without the trailing slash would return both nodes: the plan still only takes its own.
        nodeObjects: [...a.objects, ...c.objects, obj(`${p}127.0.0.10/data/ks/${T}/x`)],
        indexKeys: [...a.index, ...c.index],
        purge: [{ backup: { name: 'b1' }, reasons: [{ kind: 'requested' }] }],
        referencedPaths: new Set(),
        graceDays: 0,
        nowSeconds: NOW,
      });
      const keys = plan.backups.flatMap((x) => [...x.unfinish, ...x.content, ...x.last]);
      assert.equal(keys.length, 11);
      for (const key of keys) assert.ok(!key.includes('127.0.0.10'), key);
      assert.deepEqual(plan.orphans, []);
    });
  }

  test('fqdns containing `_` are matched whole in index entry names', () => {
    const a = nodeBackupKeys('', 'node', 'b1');
    const c = nodeBackupKeys('', 'node_2', 'b1');
    const plan = planNodePurge({
      layout: {},
      fqdn: 'node',
      nodeObjects: a.objects,
      indexKeys: [...a.index, ...c.index],
      purge: [{ backup: { name: 'b1' }, reasons: [{ kind: 'requested' }] }],
      referencedPaths: new Set(),
      graceDays: 0,
      nowSeconds: NOW,
    });
    const indexKeys = plan.backups.flatMap((x) => [...x.unfinish, ...x.last]).filter((k) => k.startsWith('index/'));
    assert.deepEqual(indexKeys.sort(), [...a.index].sort());
  });

  test('orphans: unreferenced pool objects older than the grace period; younger ones are counted as spared', () => {
    const pool = (f: string): string => `n1/data/ks/${T}/${f}`;
    const plan = planNodePurge({
      layout: {},
      fqdn: 'n1',
      nodeObjects: [
        obj(pool('kept-old'), 100),
        obj(pool('orphan-old'), 11, 7),
        obj(pool('orphan-at-cutoff'), 10, 3),
        obj(pool('orphan-young'), 9),
        obj(pool('.idx/orphan-index-file'), 50, 1),
        obj('n1/b2/meta/schema.cql', 100),
      ],
      indexKeys: [],
      purge: [],
      referencedPaths: new Set([pool('kept-old')]),
      graceDays: 10,
      nowSeconds: NOW,
    });
    assert.deepEqual(plan.orphans.map((o) => o.key).sort(), [pool('.idx/orphan-index-file'), pool('orphan-at-cutoff'), pool('orphan-old')]);
    assert.equal(plan.sparedByGrace, 1);
    assert.equal(plan.objects, 3);
    assert.equal(plan.size, 11);
    assert.equal(plan.orphans.find((o) => o.key === pool('orphan-old'))?.ageSeconds, 11 * DAY);
  });

  test('grace period 0 deletes every unreferenced object', () => {
    const plan = planNodePurge({
      layout: {},
      fqdn: 'n1',
      nodeObjects: [obj(`n1/data/ks/${T}/a`, 0)],
      indexKeys: [],
      purge: [],
      referencedPaths: new Set(),
      graceDays: 0,
      nowSeconds: NOW,
    });
    assert.equal(plan.orphans.length, 1);
  });

  test('no referenced set (a kept manifest is unreadable): no orphan cleanup at all', () => {
    const plan = planNodePurge({
      layout: {},
      fqdn: 'n1',
      nodeObjects: [obj(`n1/data/ks/${T}/a`, 100)],
      indexKeys: [],
      purge: [],
      referencedPaths: undefined,
      graceDays: 0,
      nowSeconds: NOW,
    });
    assert.deepEqual(plan.orphans, []);
    assert.equal(plan.sparedByGrace, 0);
  });

  test('a backup named `data` shares its folder with the pool: only its meta objects are its own', () => {
    const data = nodeBackupKeys('', 'n1', 'data');
    const poolKey = `n1/data/ks/${T}/nb-1-big-Data.db`;
    const plan = planNodePurge({
      layout: {},
      fqdn: 'n1',
      nodeObjects: [...data.objects, obj(poolKey, 1)],
      indexKeys: data.index,
      purge: [{ backup: { name: 'data' }, reasons: [{ kind: 'requested' }] }],
      referencedPaths: new Set(),
      graceDays: 10,
      nowSeconds: NOW,
    });
    const keys = plan.backups.flatMap((x) => [...x.unfinish, ...x.content, ...x.last]);
    assert.ok(!keys.includes(poolKey));
    assert.equal(plan.backups[0]?.objects, 5);
    // ...and the meta objects of a kept backup named `data` are never taken for pool orphans.
    const keptPlan = planNodePurge({ layout: {}, fqdn: 'n1', nodeObjects: data.objects, indexKeys: [], purge: [], referencedPaths: new Set(), graceDays: 0, nowSeconds: NOW });
    assert.deepEqual(keptPlan.orphans, []);
  });

  test('an unfinished backup has no unfinish stage objects but still loses its index entries', () => {
    const x = nodeBackupKeys('', 'n1', 'b1', false);
    const plan = planNodePurge({
      layout: {},
      fqdn: 'n1',
      nodeObjects: x.objects,
      indexKeys: x.index,
      purge: [{ backup: { name: 'b1' }, reasons: [{ kind: 'requested' }] }],
      referencedPaths: new Set(),
      graceDays: 0,
      nowSeconds: NOW,
    });
    assert.deepEqual(plan.backups[0]?.unfinish, []);
    assert.equal(plan.backups[0]?.last.length, 1 + 4);
  });
});

describe('latestPointerAfterPurge', () => {
  const remaining = [
    { name: 'b2', finished: 200 },
    { name: 'b3', finished: 300 },
    { name: 'running' },
  ];
  test('unchanged when it names a backup that stays, or nothing', () => {
    assert.deepEqual(latestPointerAfterPurge('b3', new Set(['b1']), remaining), { kind: 'keep' });
    assert.deepEqual(latestPointerAfterPurge(undefined, new Set(['b1']), remaining), { kind: 'keep' });
  });
  test('repointed to the newest finished backup that stays', () => {
    assert.deepEqual(latestPointerAfterPurge('b4', new Set(['b4']), remaining), { kind: 'repoint', name: 'b3' });
    assert.deepEqual(latestPointerAfterPurge('b3', new Set(['b3']), remaining), { kind: 'repoint', name: 'b2' });
  });
  test('removed when no finished backup stays', () => {
    assert.deepEqual(latestPointerAfterPurge('b1', new Set(['b1']), [{ name: 'running' }]), { kind: 'remove' });
  });
});

describe('nodes in the bucket (purge-decommissioned)', () => {
  const keysOf = (p: string): string[] => [
    `${p}index/backup_index/b1/tokenmap_n1.json`,
    `${p}index/backup_index/b1/started_n_2_1700000000.timestamp`,
    `${p}index/latest_backup/n1/backup_name.txt`,
    `${p}n3/b1/meta/schema.cql`,
    `${p}n4/data/ks/${T}/nb-1-big-Data.db`,
    `${p}n5/data/ks/not-a-table-dir/file`,
    `${p}n6/b1/data/ks/${T}/nb-1-big-Data.db`,
    `${p}other-tenant/n7/b1/meta/schema.cql`,
    `${p}other-tenant/n7/data/ks/${T}/nb-1-big-Data.db`,
    `${p}other-tenant/index/backup_index/b1/tokenmap_n7.json`,
  ];
  for (const prefix of ['', 'tenant-a']) {
    test(`only exact node shapes count, never index, backup names or other prefixes (prefix "${prefix}")`, () => {
      const layout = { prefix };
      const p = prefix ? `${prefix}/` : '';
      const nodes = new Set(keysOf(p).map((k) => nodeEvidencedBy(layout, k)).filter((n) => n !== undefined));
      assert.deepEqual([...nodes].sort(), ['n1', 'n3', 'n4', 'n_2']);
    });
  }
  test('decommissioned = bucket nodes absent from every datacenter of the live topology', () => {
    assert.deepEqual(decommissionedNodes(['127.0.0.1', '127.0.0.10', '127.0.0.2'], new Set(['127.0.0.1', '127.0.0.2'])), ['127.0.0.10']);
  });
});
