import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Manifest, ManifestSection } from '../../../src/domain/manifest.js';
import { planRestore, UnsafeManifestError, type RestoreMode } from '../../../src/plan/restore-plan.js';

const P = 'pre/node1/b1/data/';
const ALL = { keyspaces: [], tables: [] };
const LAYOUT = { prefix: 'pre' };

function section(keyspace: string, columnfamily: string, files: string[], base = P): ManifestSection {
  return { keyspace, columnfamily, objects: files.map((f, i) => ({ path: `${base}${keyspace}/${columnfamily}/${f}`, MD5: 'd41d8cd98f00b204e9800998ecf8427e', size: 10 + i })) };
}

const MANIFEST: Manifest = [
  section('app', 'users-1', ['nb-1-big-Data.db', '.users_idx/nb-1-big-Data.db']),
  section('app', 'empty-2', []),
  section('system', 'local-3', ['nb-1-big-Data.db']),
  section('system', 'peers_v2-4', ['nb-1-big-Data.db']),
  section('system_schema', 'tables-5', ['nb-1-big-Data.db']),
  section('system_auth', 'roles-6', ['nb-1-big-Data.db']),
];

function actions(mode: RestoreMode, manifest: Manifest = MANIFEST): Record<string, string> {
  const plan = planRestore(manifest, 'm.json', LAYOUT, ALL, mode);
  return Object.fromEntries(plan.tables.map((t) => [`${t.keyspace}.${t.tableDir}`, t.action]));
}

test('in-place copy restores everything, empties tables without files', () => {
  assert.deepEqual(actions({ kind: 'copy', inPlace: true, keepAuth: false }), {
    'app.users-1': 'restore', 'app.empty-2': 'empty', 'system.local-3': 'restore', 'system.peers_v2-4': 'restore',
    'system_schema.tables-5': 'restore', 'system_auth.roles-6': 'restore',
  });
});

test('remote copy clears system.local and peers*, keep-auth leaves system_auth alone', () => {
  assert.deepEqual(actions({ kind: 'copy', inPlace: false, keepAuth: true }), {
    'app.users-1': 'restore', 'app.empty-2': 'empty', 'system.local-3': 'clear', 'system.peers_v2-4': 'clear',
    'system_schema.tables-5': 'restore', 'system_auth.roles-6': 'keep',
  });
});

test('sstableloader never loads system and system_schema', () => {
  assert.deepEqual(actions({ kind: 'sstableloader', keepAuth: false }), {
    'app.users-1': 'restore', 'app.empty-2': 'empty', 'system.local-3': 'keep', 'system.peers_v2-4': 'keep',
    'system_schema.tables-5': 'keep', 'system_auth.roles-6': 'restore',
  });
});

test('files keep the hidden index folder; totals count only fetched files', () => {
  const plan = planRestore(MANIFEST, 'm.json', LAYOUT, { keyspaces: [], tables: ['app.users'], ignoreSystemKeyspaces: true }, { kind: 'download' });
  assert.equal(plan.tables.length, 1);
  assert.deepEqual(plan.tables[0]!.files.map((f) => f.relPath), ['nb-1-big-Data.db', '.users_idx/nb-1-big-Data.db']);
  assert.equal(plan.totalFiles, 2);
  assert.equal(plan.totalBytes, 21);
  assert.deepEqual(plan.ignored, ['app.empty', 'system.local', 'system.peers_v2', 'system_auth.roles', 'system_schema.tables']);
});

test('sections naming the same table directory are merged', () => {
  const m: Manifest = [section('app', 'users-1', ['a-Data.db']), section('app', 'users-1', ['b-Data.db'])];
  const plan = planRestore(m, 'm.json', LAYOUT, ALL, { kind: 'download' });
  assert.equal(plan.tables.length, 1);
  assert.deepEqual(plan.tables[0]!.files.map((f) => f.relPath), ['a-Data.db', 'b-Data.db']);
});

const UNSAFE: Array<{ name: string; manifest: Manifest; problem: RegExp }> = [
  { name: 'keyspace ..', manifest: [{ keyspace: '..', columnfamily: 't-1', objects: [] }], problem: /keyspace may not be "\.\."/ },
  { name: 'keyspace ../..', manifest: [{ keyspace: '../..', columnfamily: 't-1', objects: [] }], problem: /keyspace may not contain "\/"/ },
  { name: 'table dir with /', manifest: [{ keyspace: 'app', columnfamily: 'x/../../etc', objects: [] }], problem: /table directory may not contain "\/"/ },
  { name: 'table dir ..', manifest: [{ keyspace: 'app', columnfamily: '..', objects: [] }], problem: /table directory may not be "\.\."/ },
  { name: 'NUL in keyspace', manifest: [{ keyspace: 'a\0b', columnfamily: 't-1', objects: [] }], problem: /NUL/ },
  {
    name: 'object path climbing out of the bucket',
    manifest: [{ keyspace: 'app', columnfamily: 't-1', objects: [{ path: 'pre/../../etc/app/t-1/passwd', MD5: null, size: 1 }] }],
    problem: /object "pre\/\.\.\/\.\.\/etc\/app\/t-1\/passwd" has a path segment that may not be "\.\."/,
  },
  {
    name: 'absolute object path',
    manifest: [{ keyspace: 'app', columnfamily: 't-1', objects: [{ path: '/etc/app/t-1/passwd', MD5: null, size: 1 }] }],
    problem: /is an absolute path/,
  },
  {
    name: 'object outside the prefix',
    manifest: [{ keyspace: 'app', columnfamily: 't-1', objects: [{ path: 'other/node1/b1/data/app/t-1/f', MD5: null, size: 1 }] }],
    problem: /outside the bucket prefix "pre\/"/,
  },
  {
    name: 'object of another table',
    manifest: [{ keyspace: 'app', columnfamily: 't-1', objects: [{ path: 'pre/node1/b1/data/app/u-2/f', MD5: null, size: 1 }] }],
    problem: /is not under app\/t-1\//,
  },
  {
    name: 'object of another table whose name starts like this one (tagged segment must be <table>~<tag>)',
    manifest: [{ keyspace: 'app', columnfamily: 't-1', objects: [{ path: 'pre/node1/data/app/t-10/f', MD5: null, size: 1 }] }],
    problem: /is not under app\/t-1\//,
  },
  {
    name: 'a tagged segment with an empty tag',
    manifest: [{ keyspace: 'app', columnfamily: 't-1', objects: [{ path: 'pre/node1/data/app/t-1~/f', MD5: null, size: 1 }] }],
    problem: /is not under app\/t-1\//,
  },
  {
    name: 'a plain and a tagged object landing on the same file',
    manifest: [section('app', 't-1', ['f'], 'pre/node1/data/'), { keyspace: 'app', columnfamily: 't-1', objects: [{ path: 'pre/node1/data/app/t-1~abc/f', MD5: null, size: 1 }] }],
    problem: /two objects land on f/,
  },
  {
    name: 'object with a NUL',
    manifest: [{ keyspace: 'app', columnfamily: 't-1', objects: [{ path: 'pre/node1/b1/data/app/t-1/f\0x', MD5: null, size: 1 }] }],
    problem: /NUL/,
  },
  {
    name: 'two objects on the same file',
    manifest: [section('app', 't-1', ['f']), section('app', 't-1', ['f'], 'pre/node1/data/')],
    problem: /two objects land on f/,
  },
];

for (const c of UNSAFE) {
  test(`refused before anything is touched: ${c.name}`, () => {
    assert.throws(
      () => planRestore(c.manifest, 'pre/node1/b1/meta/manifest.json', LAYOUT, ALL, { kind: 'copy', inPlace: true, keepAuth: false }),
      (err: unknown) => err instanceof UnsafeManifestError && c.problem.test(err.message) && err.message.includes('pre/node1/b1/meta/manifest.json'),
    );
  });
}

test('an unsafe section is refused even when the filter leaves it out', () => {
  const m: Manifest = [section('app', 'users-1', ['f']), { keyspace: '..', columnfamily: 't-1', objects: [] }];
  assert.throws(() => planRestore(m, 'm', LAYOUT, { keyspaces: ['app'], tables: [] }, { kind: 'download' }), UnsafeManifestError);
});

test('no prefix: keys start with the fqdn', () => {
  const m: Manifest = [section('app', 'users-1', ['f'], 'node1/data/')];
  const plan = planRestore(m, 'm', {}, ALL, { kind: 'download' });
  assert.equal(plan.tables[0]!.files[0]!.relPath, 'f');
});

test('content-tagged keys (<table>~<tag>) land in their table, the .<index> folder kept', () => {
  const tag = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
  const m: Manifest = [{ keyspace: 'app', columnfamily: 'users-1', objects: [
    { path: 'pre/node1/data/app/users-1/nb-1-big-Data.db', MD5: null, size: 1 },
    { path: `pre/node1/data/app/users-1~${tag}/nb-3-big-Data.db`, MD5: null, size: 1 },
    { path: `pre/node1/data/app/users-1~${tag}~2/.users_idx/nb-3-big-Data.db`, MD5: null, size: 1 },
  ] }];
  const plan = planRestore(m, 'm', LAYOUT, ALL, { kind: 'download' });
  assert.deepEqual(plan.tables[0]!.files.map((f) => f.relPath), ['nb-1-big-Data.db', 'nb-3-big-Data.db', '.users_idx/nb-3-big-Data.db']);
});
