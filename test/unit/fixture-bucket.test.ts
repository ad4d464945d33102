// Checks the test-only bucket writer against the layout spec (medusa-reference.md §3.1-3.3), because
// the interop goldens and our reader tests are only as good as the buckets it writes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { pyJsonDumps, tokenmapJson, writeFixtureBucket, type FixtureNodeBackup } from '../support/fixture-bucket.js';
import { FIXTURE_SCENARIOS } from '../support/fixture-scenarios.js';

const tmp = mkdtempSync(join(tmpdir(), 'fixture-bucket-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function listKeys(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)));
    }
  };
  walk(dir);
  return out.sort();
}

const md5 = (s: string | Buffer): string => createHash('md5').update(s).digest('hex');
const mtime = (p: string): number => Math.round(statSync(p).mtimeMs / 1000);

const tokenmap = {
  'n1.example': { tokens: [-9223372036854775808n, 9223372036854775807n], isUp: true, rack: 'r1', dc: 'dc1' },
};
const section = {
  keyspace: 'ks',
  columnfamily: 't-0123',
  objects: [
    { file: 'nb-1-big-Data.db', content: 'hello world' },
    { file: '.t_idx/nb-1-big-Data.db', content: 'idx', md5: null },
  ],
} as const;

function nodeBackup(over: Partial<FixtureNodeBackup>): FixtureNodeBackup {
  return { name: 'b1', fqdn: 'n1.example', mode: 'full', started: 1_700_000_000, finished: 1_700_000_100, tokenmap, sections: [section], ...over };
}

describe('pyJsonDumps', () => {
  test('uses Python separators, writes bigints losslessly and escapes non-ASCII like ensure_ascii', () => {
    assert.equal(pyJsonDumps({ a: [1, -9223372036854775808n], b: null, c: 'é"\n' }), '{"a": [1, -9223372036854775808], "b": null, "c": "\\u00e9\\"\\n"}');
  });
  test('tokenmap document keeps key order tokens, is_up, rack, dc and omits absent rack/dc', () => {
    assert.equal(
      tokenmapJson({ h: { tokens: [9223372036854775807n], isUp: false } }),
      '{"h": {"tokens": [9223372036854775807], "is_up": false}}',
    );
  });
});

describe('writeFixtureBucket', () => {
  test('full backup: every §3.1 key, manifest paths and MD5s, mtimes', () => {
    const dir = writeFixtureBucket(join(tmp, 'full'), 'bkt', { nodeBackups: [nodeBackup({})] });
    assert.deepEqual(listKeys(dir), [
      'index/backup_index/b1/finished_n1.example_1700000100.timestamp',
      'index/backup_index/b1/manifest_n1.example.json',
      'index/backup_index/b1/schema_n1.example.cql',
      'index/backup_index/b1/started_n1.example_1700000000.timestamp',
      'index/backup_index/b1/tokenmap_n1.example.json',
      'index/latest_backup/n1.example/backup_name.txt',
      'index/latest_backup/n1.example/tokenmap.json',
      'n1.example/b1/data/ks/t-0123/.t_idx/nb-1-big-Data.db',
      'n1.example/b1/data/ks/t-0123/nb-1-big-Data.db',
      'n1.example/b1/meta/manifest.json',
      'n1.example/b1/meta/schema.cql',
      'n1.example/b1/meta/server_version.json',
      'n1.example/b1/meta/tokenmap.json',
    ]);
    const manifest = readFileSync(join(dir, 'n1.example/b1/meta/manifest.json'), 'utf8');
    assert.equal(
      manifest,
      `[{"keyspace": "ks", "columnfamily": "t-0123", "objects": [{"path": "n1.example/b1/data/ks/t-0123/nb-1-big-Data.db", "MD5": "${md5('hello world')}", "size": 11}, ` +
        '{"path": "n1.example/b1/data/ks/t-0123/.t_idx/nb-1-big-Data.db", "MD5": null, "size": 3}]}]',
    );
    assert.equal(readFileSync(join(dir, 'index/backup_index/b1/manifest_n1.example.json'), 'utf8'), manifest);
    assert.equal(
      readFileSync(join(dir, 'index/backup_index/b1/tokenmap_n1.example.json'), 'utf8'),
      '{"n1.example": {"tokens": [-9223372036854775808, 9223372036854775807], "is_up": true, "rack": "r1", "dc": "dc1"}}',
    );
    assert.equal(readFileSync(join(dir, 'n1.example/b1/meta/server_version.json'), 'utf8'), '{"server_type": "cassandra", "release_version": "4.0.11"}');
    assert.equal(readFileSync(join(dir, 'index/backup_index/b1/started_n1.example_1700000000.timestamp'), 'utf8'), '1700000000');
    assert.equal(readFileSync(join(dir, 'index/latest_backup/n1.example/backup_name.txt'), 'utf8'), 'b1');
    assert.equal(mtime(join(dir, 'n1.example/b1/meta/schema.cql')), 1_700_000_000);
    assert.equal(mtime(join(dir, 'n1.example/b1/meta/manifest.json')), 1_700_000_100);
  });

  test('differential backup with prefix: pool data path, marker in meta and index', () => {
    const dir = writeFixtureBucket(join(tmp, 'diff'), 'bkt', {
      prefix: 'pre',
      nodeBackups: [nodeBackup({ mode: 'differential', marker: 'incremental' })],
    });
    const keys = listKeys(dir);
    assert.ok(keys.includes('pre/n1.example/data/ks/t-0123/nb-1-big-Data.db'));
    assert.ok(keys.includes('pre/n1.example/b1/meta/incremental'));
    assert.ok(keys.includes('pre/index/backup_index/b1/incremental_n1.example'));
    assert.ok(keys.every((k) => k.startsWith('pre/')));
    assert.match(readFileSync(join(dir, 'pre/n1.example/b1/meta/manifest.json'), 'utf8'), /"path": "pre\/n1\.example\/data\/ks\/t-0123\/nb-1-big-Data\.db"/);
  });

  test('incomplete backup: no manifest, no finished entry, no latest_backup marker', () => {
    const dir = writeFixtureBucket(join(tmp, 'inc'), 'bkt', { nodeBackups: [nodeBackup({ finished: undefined })] });
    const keys = listKeys(dir);
    assert.ok(!keys.some((k) => k.includes('manifest') || k.includes('finished_') || k.includes('latest_backup')));
    assert.ok(keys.includes('index/backup_index/b1/tokenmap_n1.example.json'));
  });

  test('faults: deleted, same-size corrupted, resized objects; omitted meta manifest and index entries', () => {
    const dir = writeFixtureBucket(join(tmp, 'faults'), 'bkt', {
      nodeBackups: [
        nodeBackup({
          sections: [{ ...section, objects: [...section.objects, { file: 'nb-1-big-Summary.db', content: 'sum' }] }],
          faults: {
            corruptObjects: ['ks/t-0123/nb-1-big-Data.db'],
            deleteObjects: ['ks/t-0123/.t_idx/nb-1-big-Data.db'],
            resizeObjects: ['ks/t-0123/nb-1-big-Summary.db'],
            omitMetaManifest: true,
            omitIndex: ['started', 'finished'],
          },
        }),
      ],
    });
    const data = readFileSync(join(dir, 'n1.example/b1/data/ks/t-0123/nb-1-big-Data.db'));
    assert.equal(data.length, 11);
    assert.notEqual(md5(data), md5('hello world'));
    assert.ok(!existsSync(join(dir, 'n1.example/b1/data/ks/t-0123/.t_idx/nb-1-big-Data.db')));
    assert.equal(statSync(join(dir, 'n1.example/b1/data/ks/t-0123/nb-1-big-Summary.db')).size, 4);
    const keys = listKeys(dir);
    assert.ok(!keys.includes('n1.example/b1/meta/manifest.json'));
    assert.ok(keys.includes('index/backup_index/b1/manifest_n1.example.json'));
    assert.ok(!keys.some((k) => k.includes('started_') || k.includes('finished_')));
  });

  test('latest_backup points at the backup that finished last', () => {
    const dir = writeFixtureBucket(join(tmp, 'latest'), 'bkt', {
      nodeBackups: [nodeBackup({ name: 'late', started: 10, finished: 500 }), nodeBackup({ name: 'early', started: 20, finished: 30 })],
    });
    assert.equal(readFileSync(join(dir, 'index/latest_backup/n1.example/backup_name.txt'), 'utf8'), 'late');
  });

  test('every named scenario writes without error and names are unique', () => {
    const names = new Set<string>();
    for (const s of FIXTURE_SCENARIOS) {
      assert.ok(!names.has(s.name), s.name);
      names.add(s.name);
      writeFixtureBucket(join(tmp, 'scenarios', s.name), 'bkt', s.bucket);
    }
  });
});
