/**
 * Progress of `download`, `verify --enable-md5-checks` and `purge` on a real pseudo-terminal
 * (`script`), on a local bucket written from the layout spec: on the terminal each command draws
 * its line in place (`\r` + erase line) and erases it before it ends; the same command in a pipe,
 * as under cron, prints none of it, and its stdout is the same as on the terminal.
 * (backup's line, on a real node and radosgw: test/cassandra/progress-tty.test.ts.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeFixtureBucket, type FixtureNodeBackup, type FixtureSection } from '../support/fixture-bucket.js';
import { MEDUSA_BIN, runMedusa, scratchDir, writeLocalIni } from '../support/cli.js';

const scratch = scratchDir('medusa-progress-e2e-');
const FQDN = 'node1.example.com';
const TABLE = 'blobs-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1';
let ini = '';
let dest = '';

function sections(seed: string, small: number): FixtureSection[] {
  const big = `${seed}|`.repeat(Math.ceil((48 << 20) / (seed.length + 1))).slice(0, 48 << 20);
  return [{
    keyspace: 'app',
    columnfamily: TABLE,
    objects: [
      { file: `nb-1-big-Data.db`, content: big },
      ...Array.from({ length: small }, (_, i) => ({ file: `nb-${i + 2}-big-Data.db`, content: `${seed}-${i}`.repeat(40) })),
    ],
  }];
}

function nodeBackup(name: string, started: number, small: number): FixtureNodeBackup {
  return {
    name, fqdn: FQDN, mode: 'full', started, finished: started + 60,
    tokenmap: { [FQDN]: { tokens: [-9223372036854775808n], isUp: true, rack: 'r1', dc: 'dc1' } },
    sections: sections(name, small),
  };
}

before(() => {
  writeFixtureBucket(scratch.dir, 'bucket', { nodeBackups: [nodeBackup('old', 1_700_000_000, 600), nodeBackup('new', 1_700_100_000, 5)] });
  ini = writeLocalIni(scratch.dir, { basePath: scratch.dir, bucket: 'bucket', fqdn: FQDN, extra: 'max_backup_count = 1' });
  dest = join(scratch.dir, 'dest');
});
after(() => scratch.cleanup());

/** Where the runs keep their cache (backup locks, hash cache): this file's own, never ~/.cache. */
const env = (): NodeJS.ProcessEnv => ({ ...process.env, TZ: 'UTC', MEDUSA_CACHE_DIR: join(scratch.dir, 'cache') });

let runs = 0;
/** Runs medusa on a pseudo-terminal; returns the whole screen (stdout and stderr as the terminal got them). */
function onTerminal(args: readonly string[]): string {
  const log = join(scratch.dir, `tty-${++runs}.log`);
  const command = [MEDUSA_BIN, '--config-file', ini, ...args].map((a) => `'${a}'`).join(' ');
  const r = spawnSync('script', ['-q', '-e', '-c', command, log], { env: env(), encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'ignore', 'pipe'] });
  const screen = readFileSync(log, 'utf8');
  assert.equal(r.status, 0, `${r.stderr}\n${screen.slice(-2000)}`);
  return screen;
}

/** The drawings of a progress line starting with `verb`. */
function draws(screen: string, verb: string): string[] {
  return screen.match(new RegExp(`\\r\\x1b\\[K${verb} \\d+/\\d+ (files, [\\d.]+ [KMG]?B of [\\d.]+ [KMG]?B, [\\d.]+ [KMG]?B/s|objects, \\d+ objects/s), ETA (--:--|\\d+:\\d\\d(:\\d\\d)?)`, 'g')) ?? [];
}

describe('progress on a terminal, none in a pipe', () => {
  test('download: "Downloading" drawn and erased; nothing in a pipe', () => {
    mkdirSync(join(dest, 'tty'), { recursive: true });
    mkdirSync(join(dest, 'pipe'), { recursive: true });
    const screen = onTerminal(['download', '--backup-name', 'new', '--download-destination', join(dest, 'tty')]);
    const d = draws(screen, 'Downloading');
    assert.ok(d.length >= 1, screen.slice(-1500));
    assert.match(d[0]!, /Downloading \d+\/6 files, .* of 48\.\d\d MB/);
    // Erased before the summary line: the last drawing is followed by an erase.
    assert.ok(screen.lastIndexOf('\r\x1b[K') > screen.lastIndexOf(d[d.length - 1]!), 'the line is erased at the end');
    const pipe = runMedusa(['--config-file', ini, 'download', '--backup-name', 'new', '--download-destination', join(dest, 'pipe')], { env: env() });
    assert.equal(pipe.status, 0, pipe.stderr);
    assert.doesNotMatch(pipe.stderr, /\r|\x1b|Downloading \d/);
  });

  test('verify --enable-md5-checks: "Hashing" drawn; the report on stdout is the same as in a pipe', () => {
    const screen = onTerminal(['verify', '--backup-name', 'old', '--enable-md5-checks']);
    assert.ok(draws(screen, 'Hashing').length >= 1, screen.slice(-1500));
    const pipe = runMedusa(['--config-file', ini, 'verify', '--backup-name', 'old', '--enable-md5-checks'], { env: env() });
    assert.equal(pipe.status, 0, pipe.stderr);
    assert.equal(pipe.stdout, 'Validating old ...\n- Completion: OK!\n- Manifest validated: OK!!\n');
    assert.doesNotMatch(pipe.stderr, /\r|\x1b|Hashing \d/);
    // The terminal shows the same report (a terminal writes \r\n for \n).
    assert.ok(screen.replace(/\r\n/g, '\n').includes(pipe.stdout), screen.slice(-1500));
  });

  test('purge: "Deleting N/M objects" drawn while the old backup goes', () => {
    const screen = onTerminal(['purge']);
    const d = draws(screen, 'Deleting');
    assert.ok(d.length >= 1, screen.slice(-1500));
    assert.match(d[0]!, /Deleting \d+\/\d{3,} objects/);
    const list = runMedusa(['--config-file', ini, 'list-backups'], { env: env() });
    assert.doesNotMatch(list.stdout, /^old /m);
    // A second purge in a pipe has nothing to delete and prints no progress either.
    const pipe = runMedusa(['--config-file', ini, 'purge'], { env: env() });
    assert.equal(pipe.status, 0, pipe.stderr);
    assert.doesNotMatch(pipe.stderr, /\r|\x1b|Deleting \d/);
  });
});
