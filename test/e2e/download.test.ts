/**
 * `medusa download` run as a child process on buckets written straight from the layout spec
 * (test/support/fixture-bucket.ts): checked files, filters, resumption after SIGKILL, corrupted
 * objects caught by hash, crafted manifests refused before anything is written.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { writeFixtureBucket, type FixtureNodeBackup, type FixtureSection } from '../support/fixture-bucket.js';
import { MEDUSA_BIN, runMedusa, scratchDir, writeLocalIni, type CliResult } from '../support/cli.js';

const scratch = scratchDir('medusa-download-');
after(() => scratch.cleanup());

const USERS = 'users-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1';
const EVENTS = 'events-0f9e8d7cc1ef11eea2d1a3f3b8c0d9e1';
const LOCAL = 'local-7ad54392bcdd35a684174e047860b377';
const FQDN = 'node1.example.com';

function content(seed: string, size: number): string {
  const unit = `${seed}|`;
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

const SECTIONS: FixtureSection[] = [
  { keyspace: 'app', columnfamily: USERS, objects: [
    { file: 'nb-1-big-Data.db', content: content('u1', 5000) },
    { file: 'nb-1-big-Index.db', content: content('u1i', 300) },
    { file: '.users_idx/nb-1-big-Data.db', content: content('idx', 700) },
  ] },
  { keyspace: 'app', columnfamily: EVENTS, objects: [{ file: 'nb-2-big-Data.db', content: content('e2', 4000), md5: null }] },
  { keyspace: 'system', columnfamily: LOCAL, objects: [{ file: 'nb-3-big-Data.db', content: content('l3', 100) }] },
];

function nodeBackup(name: string, sections: FixtureSection[], faults?: FixtureNodeBackup['faults']): FixtureNodeBackup {
  return {
    name, fqdn: FQDN, mode: 'differential', started: 1_700_000_000, finished: 1_700_000_100,
    tokenmap: { [FQDN]: { tokens: [-9223372036854775808n], isUp: true, rack: 'r1', dc: 'dc1' } },
    sections, ...(faults ? { faults } : {}),
  };
}

let counter = 0;
/** A fresh bucket + ini + empty destination; returns a runner. */
function setup(backups: FixtureNodeBackup[], extraIni = ''): { dest: string; bucketDir: string; ini: string; medusa: (...args: string[]) => CliResult } {
  const dir = join(scratch.dir, `case-${++counter}`);
  const bucketDir = writeFixtureBucket(dir, 'bucket', { nodeBackups: backups });
  const ini = writeLocalIni(dir, { basePath: dir, bucket: 'bucket', fqdn: FQDN, extra: extraIni });
  const dest = join(dir, 'dest');
  mkdirSync(dest);
  return { dest, bucketDir, ini, medusa: (...args) => runMedusa(['--config-file', ini, ...args], { cwd: dir }) };
}

function listFiles(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
    const r = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...listFiles(root, r));
    else out.push(r);
  }
  return out.sort();
}

describe('download', () => {
  test('downloads every table, index sub-folders and the metadata files', () => {
    const { dest, medusa } = setup([nodeBackup('b1', SECTIONS)]);
    const r = medusa('download', '--backup-name', 'b1', '--download-destination', dest);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(listFiles(dest), [
      `app/${EVENTS}/nb-2-big-Data.db`,
      `app/${USERS}/.users_idx/nb-1-big-Data.db`,
      `app/${USERS}/nb-1-big-Data.db`,
      `app/${USERS}/nb-1-big-Index.db`,
      'manifest.json',
      'schema.cql',
      `system/${LOCAL}/nb-3-big-Data.db`,
      'tokenmap.json',
    ]);
    assert.equal(readFileSync(join(dest, `app/${USERS}/.users_idx/nb-1-big-Data.db`), 'utf8'), content('idx', 700));
  });

  test('--keyspace keeps the system keyspaces; --ignore-system-keyspaces drops them', () => {
    const a = setup([nodeBackup('b1', SECTIONS)]);
    assert.equal(a.medusa('download', '--backup-name', 'b1', '--download-destination', a.dest, '--keyspace', 'nope').status, 0);
    assert.deepEqual(readdirSync(a.dest).sort(), ['manifest.json', 'schema.cql', 'system', 'tokenmap.json']);
    const b = setup([nodeBackup('b1', SECTIONS)]);
    const r = b.medusa('download', '--backup-name', 'b1', '--download-destination', b.dest, '--table', 'app.events', '--ignore-system-keyspaces');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(listFiles(b.dest).filter((f) => f.includes('/')), [`app/${EVENTS}/nb-2-big-Data.db`]);
  });

  test('a missing destination, an unknown backup, an unfinished backup: exit 1 with one clear line', () => {
    const { dest, medusa } = setup([nodeBackup('b1', SECTIONS), { ...nodeBackup('b2', SECTIONS), finished: undefined }]);
    let r = medusa('download', '--backup-name', 'b1', '--download-destination', join(dest, 'nope'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /nope is not a directory/);
    r = medusa('download', '--backup-name', 'zzz', '--download-destination', dest);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /No such backup: zzz/);
    r = medusa('download', '--backup-name', 'b2', '--download-destination', dest);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /b2 of node1\.example\.com is not complete/);
  });

  test('a corrupted object (same size) is caught by its hash and named; nothing corrupt is left', () => {
    const { dest, medusa } = setup([nodeBackup('b1', SECTIONS, { corruptObjects: [`app/${USERS}/nb-1-big-Data.db`] })]);
    const r = medusa('download', '--backup-name', 'b1', '--download-destination', dest);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`app\\.${USERS} file nb-1-big-Data\\.db .*content hash .* differs`));
    assert.equal(existsSync(join(dest, `app/${USERS}/nb-1-big-Data.db`)), false);
  });

  test('large files (hashed by worker threads once written) are checked too', () => {
    const big = [{ keyspace: 'app', columnfamily: USERS, objects: [
      { file: 'nb-1-big-Data.db', content: content('big-ok', 6 * 1024 * 1024) },
      { file: 'nb-2-big-Data.db', content: content('big-bad', 5 * 1024 * 1024) },
    ] }];
    const good = setup([nodeBackup('b1', big)]);
    assert.equal(good.medusa('download', '--backup-name', 'b1', '--download-destination', good.dest).status, 0);
    assert.equal(readFileSync(join(good.dest, 'app', USERS, 'nb-2-big-Data.db'), 'utf8'), content('big-bad', 5 * 1024 * 1024));
    const { dest, medusa } = setup([nodeBackup('b1', big, { corruptObjects: [`app/${USERS}/nb-2-big-Data.db`] })]);
    const r = medusa('download', '--backup-name', 'b1', '--download-destination', dest);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /nb-2-big-Data\.db .*content hash .* differs/);
    assert.ok(!readdirSync(join(dest, 'app', USERS)).includes('nb-2-big-Data.db'));
    assert.ok(!readdirSync(join(dest, 'app', USERS)).some((f) => f.startsWith('.medusa-tmp-')), 'no temporary file left');
  });

  test('a resized object is caught by its size', () => {
    const { dest, medusa } = setup([nodeBackup('b1', SECTIONS, { resizeObjects: [`app/${EVENTS}/nb-2-big-Data.db`] })]);
    const r = medusa('download', '--backup-name', 'b1', '--download-destination', dest);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /nb-2-big-Data\.db .*got 4001 bytes, the manifest says 4000/);
  });

  test('a crafted manifest with ../ names is refused before anything is written', () => {
    const { dest, bucketDir, medusa } = setup([nodeBackup('b1', SECTIONS)]);
    const manifestPath = join(bucketDir, FQDN, 'b1', 'meta', 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Array<{ keyspace: string }>;
    manifest[1]!.keyspace = '../..';
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const r = medusa('download', '--backup-name', 'b1', '--download-destination', dest);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /refusing manifest .*manifest\.json: section "\.\.\/\.\.\..*keyspace may not contain "\/"/);
    assert.deepEqual(readdirSync(dest), []);
  });

  test('a manifest path leading out of the bucket is refused', () => {
    const { dest, bucketDir, medusa } = setup([nodeBackup('b1', SECTIONS)]);
    const manifestPath = join(bucketDir, FQDN, 'b1', 'meta', 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Array<{ objects: Array<{ path: string }> }>;
    manifest[0]!.objects[0]!.path = `../../../etc/app/${USERS}/nb-1-big-Data.db`;
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const r = medusa('download', '--backup-name', 'b1', '--download-destination', dest);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /object "\.\.\/\.\.\/\.\.\/etc\/.*has a path segment that may not be "\.\."/);
    assert.deepEqual(readdirSync(dest), []);
  });

  test('a download killed half-way and run again completes with correct files, keeping what arrived', async () => {
    // Many 1 MiB files, one at a time, so a SIGKILL lands while files are still arriving.
    const objects = Array.from({ length: 150 }, (_, i) => ({ file: `nb-${i}-big-Data.db`, content: content(`big${i}`, 1024 * 1024) }));
    const { dest, ini } = setup([nodeBackup('b1', [{ keyspace: 'app', columnfamily: USERS, objects }])], 'concurrent_transfers = 1');
    const tableDir = join(dest, 'app', USERS);
    const child = spawn(MEDUSA_BIN, ['--config-file', ini, 'download', '--backup-name', 'b1', '--download-destination', dest], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const done = existsSync(tableDir) ? readdirSync(tableDir).filter((f) => f.endsWith('Data.db')).length : 0;
      if (done >= 10) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGKILL');
    await exited;
    const arrived = readdirSync(tableDir).filter((f) => f.endsWith('Data.db')).length;
    assert.ok(arrived >= 10 && arrived < 150, `expected a partial download, found ${arrived} of 150 files`);
    // A file that arrived damaged meanwhile (same size, other bytes) must be fetched again.
    const damaged = join(tableDir, readdirSync(tableDir).find((f) => f.endsWith('Data.db'))!);
    writeFileSync(damaged, Buffer.alloc(1024 * 1024, 0x41));

    const r = runMedusa(['--config-file', ini, 'download', '--backup-name', 'b1', '--download-destination', dest]);
    assert.equal(r.status, 0, r.stderr);
    const kept = /kept (\d+) files already present/.exec(r.stderr);
    assert.ok(kept && Number(kept[1]) >= arrived - 1 && Number(kept[1]) < 150, r.stderr);
    const names = readdirSync(tableDir).sort();
    assert.equal(names.length, 150, `leftover temporary files? ${names.filter((n) => !n.endsWith('Data.db')).join(', ')}`);
    for (const o of objects) {
      const got = readFileSync(join(tableDir, o.file));
      assert.equal(createHash('md5').update(got).digest('hex'), createHash('md5').update(o.content).digest('hex'), o.file);
    }
    assert.ok(statSync(join(dest, 'manifest.json')).isFile());
  });
});
