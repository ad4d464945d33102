/**
 * `medusa restore-node` run as a child process against a fixture bucket and a stand-in node: a
 * folder tree with cassandra.yaml, data and commitlog folders, `stop_cmd`/`start_cmd` that only
 * record that they ran, and health-check ports nobody listens on (so the node reads as down).
 * The real-node restores are in test/cassandra/; this checks the file work and the safety rules.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeFixtureBucket, type FixtureNodeBackup, type FixtureSection } from '../support/fixture-bucket.js';
import { runMedusa, scratchDir, writeLocalIni, type CliResult } from '../support/cli.js';

const scratch = scratchDir('medusa-restore-');
after(() => scratch.cleanup());

const USERS = 'users-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1';
const EVENTS = 'events-0f9e8d7cc1ef11eea2d1a3f3b8c0d9e1';
const LOCAL = 'local-7ad54392bcdd35a684174e047860b377';
const PEERS = 'peers_v2-c4325fbb8e5e3bafbd070f9250ed818e';
const ROLES = 'roles-5bc52802de2535edaeab188eecebb090';
const FQDN = 'node1.example.com';
const TOKENS = [-9223372036854775808n, -3074457345618258603n, 3074457345618258602n];

const SECTIONS: FixtureSection[] = [
  { keyspace: 'app', columnfamily: USERS, objects: [{ file: 'nb-1-big-Data.db', content: 'users-backup' }, { file: '.users_idx/nb-1-big-Data.db', content: 'idx-backup' }] },
  { keyspace: 'app', columnfamily: EVENTS, objects: [{ file: 'nb-2-big-Data.db', content: 'events-backup' }] },
  { keyspace: 'system', columnfamily: LOCAL, objects: [{ file: 'nb-3-big-Data.db', content: 'local-backup' }] },
  { keyspace: 'system', columnfamily: PEERS, objects: [{ file: 'nb-4-big-Data.db', content: 'peers-backup' }] },
  { keyspace: 'system_auth', columnfamily: ROLES, objects: [{ file: 'nb-5-big-Data.db', content: 'roles-backup' }] },
];

function backup(faults?: FixtureNodeBackup['faults']): FixtureNodeBackup {
  return {
    name: 'b1', fqdn: FQDN, mode: 'full', started: 1_700_000_000, finished: 1_700_000_100,
    tokenmap: { [FQDN]: { tokens: TOKENS, isUp: true, rack: 'r1', dc: 'dc1' } }, sections: SECTIONS, ...(faults ? { faults } : {}),
  };
}

let closedPort = 0;
before(async () => {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  closedPort = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
});

interface Node { dir: string; data: string; commitlog: string; yaml: string; medusa: (...args: string[]) => CliResult }

let counter = 0;
/** A stand-in node whose live tables hold "live" files, plus a bucket with backup b1. */
function node(faults?: FixtureNodeBackup['faults']): Node {
  const dir = join(scratch.dir, `node-${++counter}`);
  writeFixtureBucket(dir, 'bucket', { nodeBackups: [backup(faults)] });
  const data = join(dir, 'var', 'data');
  const commitlog = join(dir, 'var', 'commitlog');
  for (const [ks, t] of [['app', USERS], ['app', EVENTS], ['app', 'untouched-1'], ['system', LOCAL], ['system', PEERS], ['system_auth', ROLES]] as const) {
    mkdirSync(join(data, ks, t), { recursive: true });
    writeFileSync(join(data, ks, t, 'nb-9-big-Data.db'), `live ${ks}.${t}`);
  }
  mkdirSync(commitlog, { recursive: true });
  writeFileSync(join(commitlog, 'CommitLog-7-1.log'), 'log');
  const yaml = join(dir, 'cassandra.yaml');
  writeFileSync(yaml, [
    'cluster_name: test', 'num_tokens: 16', `data_file_directories:`, `    - ${data}`, `commitlog_directory: ${commitlog}`,
    'listen_address: 127.0.0.1', `native_transport_port: ${closedPort}`, `storage_port: ${closedPort}`, `rpc_port: ${closedPort}`, '',
  ].join('\n'));
  const ini = writeLocalIni(dir, {
    basePath: dir, bucket: 'bucket', fqdn: FQDN,
    extra: ['[cassandra]', `config_file = ${yaml}`, `stop_cmd = touch ${join(dir, 'stopped')}`, `start_cmd = touch ${join(dir, 'started')}`].join('\n'),
  });
  return { dir, data, commitlog, yaml, medusa: (...args) => runMedusa(['--config-file', ini, ...args], { cwd: dir }) };
}

const read = (n: Node, ks: string, t: string): string[] =>
  existsSync(join(n.data, ks, t)) ? readdirSync(join(n.data, ks, t)).sort().map((f) => (f.startsWith('.') ? `${f}/` : `${f}=${readFileSync(join(n.data, ks, t, f), 'utf8')}`)) : [];

describe('restore-node (stand-in node)', () => {
  test('in place: stops, empties the commitlog, replaces every table of the backup, leaves other tables, starts', () => {
    const n = node();
    const r = n.medusa('restore-node', '--backup-name', 'b1', '--temp-dir', join(n.dir, 'tmp'));
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(join(n.dir, 'stopped')) && existsSync(join(n.dir, 'started')));
    assert.deepEqual(readdirSync(n.commitlog), []);
    assert.deepEqual(read(n, 'app', USERS), ['.users_idx/', 'nb-1-big-Data.db=users-backup']);
    assert.equal(readFileSync(join(n.data, 'app', USERS, '.users_idx', 'nb-1-big-Data.db'), 'utf8'), 'idx-backup');
    assert.deepEqual(read(n, 'system', LOCAL), ['nb-3-big-Data.db=local-backup']);
    assert.deepEqual(read(n, 'app', 'untouched-1'), ['nb-9-big-Data.db=live app.untouched-1']);
    // Staged beside the data directory (same file system) and cleaned up afterwards.
    assert.deepEqual(readdirSync(join(n.dir, 'var')).sort(), ['commitlog', 'data']);
    assert.match(readFileSync(n.yaml, 'utf8'), /^num_tokens: 16$/m);
  });

  test('remote with --keep-auth: system.local and peers cleared not restored, system_auth kept, tokens pinned', () => {
    const n = node();
    const r = n.medusa('restore-node', '--backup-name', 'b1', '--remote', '--keep-auth');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(read(n, 'system', LOCAL), []);
    assert.deepEqual(read(n, 'system', PEERS), []);
    assert.deepEqual(read(n, 'system_auth', ROLES), [`nb-9-big-Data.db=live system_auth.${ROLES}`]);
    assert.deepEqual(read(n, 'app', EVENTS), ['nb-2-big-Data.db=events-backup']);
    const yaml = readFileSync(n.yaml, 'utf8');
    assert.match(yaml, /^num_tokens: 3$/m);
    assert.ok(yaml.endsWith(`\ninitial_token: ${TOKENS.join(',')}\nauto_bootstrap: false`), yaml);
  });

  test('--output json: what was restored, one document on stdout (the text run prints nothing there)', () => {
    const n = node();
    const r = n.medusa('restore-node', '--backup-name', 'b1', '--table', 'app.events', '--output', 'json');
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { backupName: string; restored: Array<Record<string, unknown>> };
    assert.equal(r.stdout.trim().split('\n').length, 1);
    assert.equal(doc.backupName, 'b1');
    // app.events and the system keyspaces (system.local, system.peers_v2, system_auth.roles).
    const bytes = ['events-backup', 'local-backup', 'peers-backup', 'roles-backup'].reduce((a, c) => a + c.length, 0);
    assert.deepEqual(doc.restored, [{ fqdn: FQDN, files: 4, bytes, downloadedFiles: 4, downloadedBytes: bytes, keptFiles: 0, keptBytes: 0, hashCheckedFiles: 4 }]);
    assert.match(r.stderr, /Restore of node1\.example\.com \(b1\) finished: 4 files/);
    const text = node().medusa('restore-node', '--backup-name', 'b1', '--table', 'app.events');
    assert.equal(text.status, 0, text.stderr);
    assert.equal(text.stdout, '');
  });

  test('--table restores that table (and the system keyspaces) only', () => {
    const n = node();
    const r = n.medusa('restore-node', '--backup-name', 'b1', '--table', 'app.events');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(read(n, 'app', EVENTS), ['nb-2-big-Data.db=events-backup']);
    assert.deepEqual(read(n, 'app', USERS), [`nb-9-big-Data.db=live app.${USERS}`]);
    assert.match(r.stderr, /Skipping restore of app\.users/);
  });

  test('--in-place with --keep-auth is refused', () => {
    const n = node();
    const r = n.medusa('restore-node', '--backup-name', 'b1', '--keep-auth');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Cannot keep system_auth when restoring in-place/);
    assert.ok(!existsSync(join(n.dir, 'stopped')));
  });

  test('a corrupted object fails the download before Cassandra is stopped; live data untouched; a fixed bucket then restores', () => {
    const n = node({ corruptObjects: [`app/${EVENTS}/nb-2-big-Data.db`] });
    const r = n.medusa('restore-node', '--backup-name', 'b1');
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`app\\.${EVENTS} file nb-2-big-Data\\.db .*content hash`));
    assert.ok(!existsSync(join(n.dir, 'stopped')), 'stop_cmd must not run');
    assert.deepEqual(read(n, 'app', EVENTS), [`nb-9-big-Data.db=live app.${EVENTS}`]);
    assert.deepEqual(readdirSync(n.commitlog), ['CommitLog-7-1.log']);
    // Repair the object: the next run keeps what already arrived and finishes.
    const key = join(n.dir, 'bucket', FQDN, 'b1', 'data', 'app', EVENTS, 'nb-2-big-Data.db');
    writeFileSync(key, 'events-backup');
    const again = n.medusa('restore-node', '--backup-name', 'b1');
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /already there/);
    assert.deepEqual(read(n, 'app', EVENTS), ['nb-2-big-Data.db=events-backup']);
  });

  test('a crafted manifest is refused before anything is touched', () => {
    const n = node();
    const manifestPath = join(n.dir, 'bucket', FQDN, 'b1', 'meta', 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Array<{ columnfamily: string }>;
    manifest[0]!.columnfamily = '../../../../etc';
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const r = n.medusa('restore-node', '--backup-name', 'b1');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /refusing manifest .*table directory may not contain "\/"/);
    assert.ok(!existsSync(join(n.dir, 'stopped')));
    assert.deepEqual(read(n, 'app', USERS), [`nb-9-big-Data.db=live app.${USERS}`]);
  });

  test('an unknown backup: exit 1, nothing touched', () => {
    const n = node();
    const r = n.medusa('restore-node', '--backup-name', 'nope');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /No such backup: nope/);
    assert.ok(!existsSync(join(n.dir, 'stopped')));
  });
});
