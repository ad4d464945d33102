/**
 * The progress line of `medusa backup` in a real pseudo-terminal (`script`) and in a pipe: on the
 * terminal the line (files, bytes, rate, ETA) is drawn and redrawn in place (`\r` + erase line);
 * the same backup with stderr a pipe, as under cron, prints none of it. The upload goes to
 * radosgw under `transfer_max_bandwidth = 1MB/s`, so it lasts long enough for several redraws; the
 * same for `download` of that backup (the limit applies to downloads too).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Client } from 'cassandra-driver';
import { connectCql } from '../harness/cql-client.js';
import { createKeyspace, flush } from '../harness/cql-helpers.js';
import { MEDUSA_BIN, runMedusa, scratchDir } from '../support/cli.js';
import { radosgwLines } from '../support/object-store-env.js';
import { testNode } from './backup-support.js';

const KS = 'medusa_progress_tty';
const node = testNode();
const scratch = scratchDir('medusa-progress-tty-');
let client: Client;
let ini: string;

before(async () => {
  client = connectCql([node]);
  await createKeyspace(client, KS);
  await client.execute(`CREATE TABLE ${KS}.blobs (id int PRIMARY KEY, payload text) WITH compression = {'enabled': 'false'}`);
  // About 4 MB that does not compress: four seconds at 1 MB/s.
  for (let i = 0; i < 40; i++) await client.execute(`INSERT INTO ${KS}.blobs (id, payload) VALUES (?, ?)`, [i, randomBytes(75_000).toString('base64')], { prepare: true });
  await flush(node, KS);
  const storage = { ...radosgwLines(), prefix: `progress-${randomBytes(4).toString('hex')}`, fqdn: node.host, transfer_max_bandwidth: '1MB/s' };
  mkdirSync(join(scratch.dir, 'cache'));
  ini = join(scratch.dir, 'medusa.ini');
  writeFileSync(ini, [
    '[storage]', ...Object.entries(storage).map(([k, v]) => `${k} = ${String(v)}`),
    '[cassandra]', `config_file = ${node.cassandraYaml}`, `nodetool_executable = ${node.bin.nodetool}`, 'resolve_ip_addresses = False', '',
  ].join('\n'));
});
after(async () => {
  await client.execute(`DROP KEYSPACE IF EXISTS ${KS}`).catch(() => undefined);
  await client.shutdown();
  scratch.cleanup();
});

const env = (): NodeJS.ProcessEnv => ({ ...process.env, TZ: 'UTC', MEDUSA_CACHE_DIR: join(scratch.dir, 'cache') });

test('on a terminal the progress line is drawn and redrawn in place', () => {
  const log = join(scratch.dir, 'tty.log');
  const command = [MEDUSA_BIN, '--config-file', ini, 'backup', '--backup-name', 'tty1', '--mode', 'full'].map((a) => `'${a}'`).join(' ');
  const r = spawnSync('script', ['-q', '-e', '-c', command, log], { env: env(), encoding: 'utf8', timeout: 600_000, stdio: ['ignore', 'ignore', 'pipe'] });
  const screen = readFileSync(log, 'utf8');
  assert.equal(r.status, 0, screen.slice(-2000));
  const draws = screen.match(/\r\x1b\[KUploading \d+\/\d+ files, [\d.]+ [KMG]?i?B of [\d.]+ [KMG]?i?B, [\d.]+ [KMG]?i?B\/s, ETA (--:--|\d+:\d\d(:\d\d)?)/g) ?? [];
  assert.ok(draws.length >= 3, `the line was drawn ${draws.length} times:\n${screen.slice(-1500)}`);
  assert.notEqual(draws[0], draws[draws.length - 1], 'the figures move between redraws');
  assert.match(screen, /Backup done/);
});

test('in a pipe the same backup prints no progress line at all; --output json is its summary', () => {
  const r = runMedusa(['--config-file', ini, 'backup', '--backup-name', 'pipe1', '--mode', 'full', '--output', 'json'], { env: env(), timeoutMs: 600_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /\r|\x1b|Uploading \d+\/\d+ files/);
  assert.match(r.stderr, /Backup done: pipe1 \(full\)/);
  assert.equal(r.stdout.trim().split('\n').length, 1, r.stdout);
  const doc = JSON.parse(r.stdout) as Record<string, number | string>;
  assert.equal(doc['backupName'], 'pipe1');
  assert.equal(doc['mode'], 'full');
  assert.ok((doc['bytes'] as number) > 3_000_000 && doc['uploadedBytes'] === doc['bytes'] && doc['reusedFiles'] === 0, r.stdout);
  assert.ok((doc['finished'] as number) >= (doc['started'] as number));
});

test('download from radosgw on a terminal: the Downloading line is redrawn; in a pipe none, and --output json is one document', () => {
  const dest = join(scratch.dir, 'dl-tty');
  mkdirSync(dest);
  const log = join(scratch.dir, 'dl-tty.log');
  const command = [MEDUSA_BIN, '--config-file', ini, 'download', '--backup-name', 'tty1', '--download-destination', dest].map((a) => `'${a}'`).join(' ');
  const r = spawnSync('script', ['-q', '-e', '-c', command, log], { env: env(), encoding: 'utf8', timeout: 600_000, stdio: ['ignore', 'ignore', 'pipe'] });
  const screen = readFileSync(log, 'utf8');
  assert.equal(r.status, 0, screen.slice(-2000));
  const draws = screen.match(/\r\x1b\[KDownloading \d+\/\d+ files, [\d.]+ [KMG]?B of [\d.]+ [KMG]?B, [\d.]+ [KMG]?B\/s, ETA (--:--|\d+:\d\d(:\d\d)?)/g) ?? [];
  assert.ok(draws.length >= 3, `the line was drawn ${draws.length} times:\n${screen.slice(-1500)}`);
  assert.notEqual(draws[0], draws[draws.length - 1], 'the figures move between redraws');
  const pipeDest = join(scratch.dir, 'dl-pipe');
  mkdirSync(pipeDest);
  const p = runMedusa(['--config-file', ini, 'download', '--backup-name', 'tty1', '--download-destination', pipeDest, '--output', 'json'], { env: env(), timeoutMs: 600_000 });
  assert.equal(p.status, 0, p.stderr);
  assert.doesNotMatch(p.stderr, /\r|\x1b|Downloading \d+\/\d+ files/);
  const doc = JSON.parse(p.stdout) as { downloadedFiles: number; downloadedBytes: number };
  assert.ok(doc.downloadedFiles > 0 && doc.downloadedBytes > 3_000_000, p.stdout);
});
