/**
 * `purge` and `delete-backup` run as child processes on local buckets written straight from the
 * layout spec (test/support/fixture-bucket.ts): what goes, what stays, why, and what is logged.
 * Times are relative to the real clock, since the CLI reads it.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { writeFixtureBucket, type FixtureNodeBackup, type FixtureObject, type FixtureTokenmap } from '../support/fixture-bucket.js';
import { runMedusa, scratchDir, writeLocalIni, type CliResult } from '../support/cli.js';

const scratch = scratchDir('medusa-purge-e2e-');
after(() => scratch.cleanup());

const DAY = 86_400;
const NOW = Math.floor(Date.now() / 1000);
const TABLE = 'users-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1';

function ring(...hosts: string[]): FixtureTokenmap {
  return Object.fromEntries(hosts.map((h, i) => [h, { tokens: [BigInt(i * 1000)], isUp: true, rack: 'r1', dc: 'dc1' }]));
}

/** The two components of SSTable generation `gen` of node `fqdn` (distinct bytes per node and generation). */
function sstable(fqdn: string, gen: number): FixtureObject[] {
  return [
    { file: `nb-${gen}-big-Data.db`, content: `${fqdn}:${gen}:data|`.repeat(40) },
    { file: `nb-${gen}-big-Index.db`, content: `${fqdn}:${gen}:index` },
  ];
}

interface BackupSpec {
  readonly name: string;
  readonly fqdn?: string;
  readonly daysAgo: number;
  readonly gens: readonly number[];
  readonly finished?: boolean;
  readonly mode?: 'full' | 'differential';
  readonly hosts?: readonly string[];
}

function backup(spec: BackupSpec): FixtureNodeBackup {
  const fqdn = spec.fqdn ?? 'n1';
  const started = NOW - spec.daysAgo * DAY;
  return {
    name: spec.name,
    fqdn,
    mode: spec.mode ?? 'differential',
    started,
    ...(spec.finished === false ? {} : { finished: started + 600 }),
    tokenmap: ring(...(spec.hosts ?? [fqdn])),
    sections: [{ keyspace: 'ks', columnfamily: TABLE, objects: spec.gens.flatMap((g) => sstable(fqdn, g)) }],
  };
}

/** Every key of the bucket, sorted. */
function keysOf(bucketDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(bucketDir, path).split('\\').join('/'));
    }
  };
  walk(bucketDir);
  return out.sort();
}

interface Bucket {
  readonly dir: string;
  readonly bucketDir: string;
  run(...args: string[]): CliResult;
  keys(): string[];
}

let counter = 0;
function bucket(backups: FixtureNodeBackup[], options: { fqdn?: string; prefix?: string; extra?: string } = {}): Bucket {
  const dir = join(scratch.dir, `b${counter++}`);
  const bucketDir = writeFixtureBucket(dir, 'bucket', { nodeBackups: backups, ...(options.prefix ? { prefix: options.prefix } : {}) });
  const ini = writeLocalIni(dir, {
    basePath: dir,
    bucket: 'bucket',
    fqdn: options.fqdn ?? 'n1',
    ...(options.prefix ? { prefix: options.prefix } : {}),
    extra: options.extra ?? '',
  });
  return {
    dir,
    bucketDir,
    run: (...args) => runMedusa(['--config-file', ini, ...args], { cwd: dir }),
    keys: () => keysOf(bucketDir),
  };
}

/**
 * A differential history of n1, one SSTable generation added per backup and the oldest compacted
 * away: d1 (60 days) .. d4 (2 days) complete, d5 (yesterday) interrupted.
 */
function history(): FixtureNodeBackup[] {
  return [
    backup({ name: 'd1', daysAgo: 60, gens: [1] }),
    backup({ name: 'd2', daysAgo: 40, gens: [1, 2] }),
    backup({ name: 'd3', daysAgo: 20, gens: [2, 3] }),
    backup({ name: 'd4', daysAgo: 2, gens: [3, 4] }),
    backup({ name: 'd5', daysAgo: 1, gens: [4, 5], finished: false }),
  ];
}

const pool = (gen: number, p = ''): string[] => [`${p}n1/data/ks/${TABLE}/nb-${gen}-big-Data.db`, `${p}n1/data/ks/${TABLE}/nb-${gen}-big-Index.db`];

describe('purge', () => {
  test('--dry-run lists what would go and why, and deletes nothing', () => {
    const b = bucket(history(), { extra: 'max_backup_count = 2' });
    const before = b.keys();
    const r = b.run('purge', '--dry-run');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(b.keys(), before);
    assert.match(r.stdout, /^Would purge backup d1 of n1 \(5 objects, [\d.]+ [KM]?B\): complete backup number 4 from the newest, beyond max_backup_count \(2\)$/m);
    assert.match(r.stdout, /^Would purge backup d2 of n1 \(5 objects, .*number 3 from the newest/m);
    assert.doesNotMatch(r.stdout, /backup d[345] /);
    for (const key of pool(1)) assert.match(r.stdout, new RegExp(`^Would delete orphan ${key.replace(/[.]/g, '\\.')} \\(.*\\): referenced by no remaining manifest, 60\\.0 days old$`, 'm'));
    assert.match(r.stdout, /^Would keep 2 unreferenced objects of n1 younger than the 10 days grace period$/m);
    assert.match(r.stdout, /^Dry run: 2 backups and 12 objects .* would be purged; nothing was deleted$/m);
  });

  test('max_backup_count counts complete backups only; the pool keeps what remaining manifests name; --output json', () => {
    const b = bucket(history(), { extra: 'max_backup_count = 2' });
    const before = b.keys();
    const r = b.run('purge', '--output', 'json');
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(doc).slice(0, 4), ['nbBackupsPurged', 'nbObjectsPurged', 'totalPurgedSize', 'totalObjectsWithinGcGrace']);
    assert.equal(doc['nbBackupsPurged'], 2);
    assert.equal(doc['nbObjectsPurged'], 12);
    assert.equal(doc['totalObjectsWithinGcGrace'], 2);
    assert.equal(doc['dryRun'], false);

    const gone = before.filter((k) => !b.keys().includes(k));
    const expectedGone = before.filter((k) => /(^|\/)d[12]\//.test(k) || /backup_index\/d[12]\//.test(k) || pool(1).includes(k));
    assert.deepEqual(gone, expectedGone);
    for (const key of [...pool(2), ...pool(5)]) assert.ok(b.keys().includes(key), key);

    assert.match(r.stderr, /INFO: Starting purge/);
    assert.match(r.stderr, /INFO: 2 backups are candidate to be purged/);
    assert.match(r.stderr, /INFO: Purging backup d1 from node n1\.\.\./);
    assert.match(r.stderr, /INFO: Purging backup d2 from node n1\.\.\./);
    assert.match(r.stderr, /INFO: Cleaning up orphaned files for n1\.\.\./);
    assert.match(r.stderr, /INFO: Purged 12 objects with a total size of [\d.]+ KB/);
    assert.match(r.stderr, /INFO: 2 objects within 10 days grace period were not deleted/);

    for (const name of ['d3', 'd4']) {
      const v = b.run('verify', '--backup-name', name);
      assert.equal(v.status, 0, `${name}: ${v.stdout}${v.stderr}`);
    }
    const list = b.run('list-backups');
    assert.deepEqual(list.lines.map((l) => l.split(' ')[0]), ['d3', 'd4', 'd5', '', 'Incomplete']);
  });

  test('totalPurgedSize is the bytes of the deleted objects', () => {
    const b = bucket(history(), { extra: 'max_backup_count = 2' });
    const dry = JSON.parse(b.run('purge', '--dry-run', '--output', 'json').stdout) as Record<string, number>;
    const sizes = b.keys()
      .filter((k) => /^n1\/d[12]\//.test(k) || pool(1).includes(k))
      .reduce((n, k) => n + statSync(join(b.bucketDir, k)).size, 0);
    assert.equal(dry['totalPurgedSize'], sizes);
    const real = JSON.parse(b.run('purge', '--output', 'json').stdout) as Record<string, number>;
    assert.equal(real['totalPurgedSize'], sizes);
  });

  test('max_backup_age purges old backups but never the newest complete one', () => {
    const b = bucket(
      [backup({ name: 'old1', daysAgo: 90, gens: [1] }), backup({ name: 'old2', daysAgo: 80, gens: [2] }), backup({ name: 'broken', daysAgo: 70, gens: [3], finished: false })],
      { extra: 'max_backup_age = 30' },
    );
    const r = b.run('purge', '--dry-run', '--output', 'json');
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { backups: Array<{ name: string; reasons: string[] }> };
    assert.deepEqual(doc.backups, [
      { fqdn: 'n1', name: 'old1', reasons: ['age'] },
      { fqdn: 'n1', name: 'broken', reasons: ['age'] },
    ]);
    assert.equal(b.run('purge').status, 0);
    assert.deepEqual(b.run('list-backups').lines.map((l) => l.split(' ')[0]), ['old2']);
    assert.equal(b.run('verify', '--backup-name', 'old2').status, 0);
  });

  test('works under a prefix and leaves other deployments in the same bucket alone', () => {
    const b = bucket(history(), { prefix: 'tenant', extra: 'max_backup_count = 1' });
    writeFixtureBucket(b.dir, 'bucket', { nodeBackups: history() });
    const unprefixed = b.keys().filter((k) => !k.startsWith('tenant/'));
    assert.ok(unprefixed.length > 20);
    const r = b.run('purge');
    assert.equal(r.status, 0, r.stderr);
    const keys = b.keys();
    assert.ok(!keys.some((k) => k.startsWith('tenant/n1/d3/')), 'd3 purged');
    assert.ok(keys.includes('tenant/n1/d4/meta/manifest.json'));
    assert.equal(b.run('verify', '--backup-name', 'd4').status, 0);
    for (const key of pool(2, 'tenant/')) assert.ok(!keys.includes(key), key);
    assert.deepEqual(keys.filter((k) => !k.startsWith('tenant/')), unprefixed);
  });

  test('nothing to purge still cleans the pool, honouring --backup-grace-period-in-days', () => {
    const b = bucket([backup({ name: 'only', daysAgo: 3, gens: [1] }), backup({ name: 'crashed', daysAgo: 2, gens: [2], finished: false })]);
    const kept = b.run('purge', '--output', 'json');
    assert.equal(kept.status, 0, kept.stderr);
    assert.equal((JSON.parse(kept.stdout) as Record<string, number>)['totalObjectsWithinGcGrace'], 2);
    const r = b.run('--backup-grace-period-in-days', '0', 'purge', '--output', 'json');
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual([doc['nbBackupsPurged'], doc['nbObjectsPurged'], doc['totalObjectsWithinGcGrace'], doc['backups']], [0, 2, 0, []]);
    for (const key of pool(2)) assert.ok(!b.keys().includes(key), key);
    assert.equal(b.run('verify', '--backup-name', 'only').status, 0);
  });
});

describe('delete-backup', () => {
  test('an unknown name: one error naming every unknown backup, nothing deleted', () => {
    const b = bucket(history());
    const before = b.keys();
    const r = b.run('delete-backup', '--backup-name', 'd1', '--backup-name', 'nope', '--backup-name', 'd9');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /No such backups: nope, d9; nothing was deleted/);
    assert.deepEqual(b.keys(), before);
  });

  test('deleting b1 never touches b10 (names that are prefixes of others)', () => {
    const b = bucket([
      backup({ name: 'b1', daysAgo: 30, gens: [1] }),
      backup({ name: 'b10', daysAgo: 20, gens: [1, 2], mode: 'full' }),
      backup({ name: 'b100', daysAgo: 10, gens: [2, 3] }),
    ]);
    const r = b.run('delete-backup', '--backup-name', 'b1');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /INFO: Deleting Backup\(s\) b1\.\.\./);
    const keys = b.keys();
    assert.ok(!keys.some((k) => k.startsWith('n1/b1/') || k.startsWith('index/backup_index/b1/')));
    assert.ok(keys.some((k) => k.startsWith('n1/b10/')));
    assert.ok(keys.some((k) => k.startsWith('index/backup_index/b10/')));
    for (const name of ['b10', 'b100']) assert.equal(b.run('verify', '--backup-name', name).status, 0, name);
    // gen 1 is referenced by no remaining differential manifest (b10 is full): removed from the pool.
    for (const key of pool(1)) assert.ok(!keys.includes(key), key);
  });

  test('the grace period spares young unreferenced pool objects, and says so', () => {
    const b = bucket([backup({ name: 'a', daysAgo: 30, gens: [1] }), backup({ name: 'b', daysAgo: 3, gens: [2] })]);
    const r = b.run('delete-backup', '--backup-name', 'b');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /INFO: 2 objects within 10 days grace period were not deleted/);
    for (const key of pool(2)) assert.ok(b.keys().includes(key), key);
  });

  test('the latest-backup pointer is repointed, then removed with the last backup', () => {
    const b = bucket([backup({ name: 'a', daysAgo: 30, gens: [1] }), backup({ name: 'b', daysAgo: 3, gens: [2] })]);
    const pointer = join(b.bucketDir, 'index/latest_backup/n1/backup_name.txt');
    assert.equal(readFileSync(pointer, 'utf8'), 'b');
    assert.equal(b.run('delete-backup', '--backup-name', 'b').status, 0);
    assert.equal(readFileSync(pointer, 'utf8'), 'a');
    assert.equal(
      readFileSync(join(b.bucketDir, 'index/latest_backup/n1/tokenmap.json'), 'utf8'),
      readFileSync(join(b.bucketDir, 'index/backup_index/a/tokenmap_n1.json'), 'utf8'),
    );
    assert.equal(b.run('delete-backup', '--backup-name', 'a').status, 0);
    assert.ok(!existsSync(pointer));
    assert.deepEqual(b.keys().filter((k) => k.startsWith('index/')), []);
  });

  test('-c (default) deletes only this node, never 127.0.0.10 for 127.0.0.1; -a deletes every node', () => {
    const hosts = ['127.0.0.1', '127.0.0.10'];
    const backups = hosts.flatMap((fqdn) => [backup({ name: 'x', fqdn, daysAgo: 5, gens: [1], hosts }), backup({ name: 'y', fqdn, daysAgo: 4, gens: [1, 2], hosts })]);
    const b = bucket(backups, { fqdn: '127.0.0.1' });
    const r = b.run('delete-backup', '--backup-name', 'x', '-a', '-c');
    assert.equal(r.status, 0, r.stderr);
    let keys = b.keys();
    assert.ok(!keys.some((k) => k.startsWith('127.0.0.1/x/')));
    assert.ok(keys.includes('127.0.0.10/x/meta/manifest.json'));
    assert.ok(keys.includes('index/backup_index/x/manifest_127.0.0.10.json'));
    assert.ok(!keys.includes('index/backup_index/x/manifest_127.0.0.1.json'));

    const all = b.run('delete-backup', '--backup-name', 'x', '--all-nodes');
    assert.equal(all.status, 0, all.stderr);
    keys = b.keys();
    assert.ok(!keys.some((k) => k.includes('/x/')));
    assert.equal(b.run('verify', '--backup-name', 'y').status, 0);
  });

  test('--dry-run deletes nothing', () => {
    const b = bucket(history());
    const before = b.keys();
    const r = b.run('delete-backup', '--backup-name', 'd4', '--dry-run');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Would purge backup d4 of n1 \(5 objects, .*\): named by --backup-name$/m);
    assert.match(r.stdout, /^Would point the latest backup of n1 to d3$/m);
    assert.deepEqual(b.keys(), before);
  });
});
