/**
 * Bad input gets one clear line on stderr naming what is wrong, a non-zero exit and no stack trace
 * (design §4); `-v` adds the details.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runMedusa, scratchDir, writeLocalIni } from '../support/cli.js';
import { writeFixtureBucket } from '../support/fixture-bucket.js';
import { FIXTURE_SCENARIOS } from '../support/fixture-scenarios.js';

const scratch = scratchDir();
after(() => scratch.cleanup());

function oneErrorLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${stderr}`);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  return lines[0]!;
}

function iniWith(name: string, text: string): string {
  const dir = join(scratch.dir, name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'medusa.ini');
  writeFileSync(file, text);
  return file;
}

describe('configuration problems exit 2 with one line', () => {
  test('missing config file', () => {
    const r = runMedusa(['--config-file', join(scratch.dir, 'nope.ini'), 'list-backups']);
    assert.equal(r.status, 2);
    assert.match(oneErrorLine(r.stderr), /nope\.ini/);
  });
  test('unknown storage provider', () => {
    const r = runMedusa(['--config-file', iniWith('provider', '[storage]\nstorage_provider = floppy\nbucket_name = b\nfqdn = n\n'), 'list-backups']);
    assert.equal(r.status, 2);
    assert.match(oneErrorLine(r.stderr), /\[storage\] storage_provider/);
  });
  test('"/" in bucket name and prefix: both reported at once', () => {
    const r = runMedusa(['--config-file', iniWith('slash', '[storage]\nstorage_provider = local\nbase_path = /tmp\nbucket_name = a/b\nprefix = c/d\nfqdn = n\n'), 'list-backups']);
    assert.equal(r.status, 2);
    const line = oneErrorLine(r.stderr);
    assert.match(line, /bucket_name/);
    assert.match(line, /prefix/);
  });
  test('a usage error exits 2', () => {
    const r = runMedusa(['status']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--backup-name/);
  });
});

describe('a damaged bucket', () => {
  const base = FIXTURE_SCENARIOS.find((s) => s.name === 'complete-3-nodes')!;
  const name = base.bucket.nodeBackups[0]!.name;
  const fqdn = base.localFqdn;
  function damagedBucket(label: string, damage: (bucketDir: string) => void): string {
    const dir = join(scratch.dir, label);
    writeFixtureBucket(dir, 'bucket', base.bucket);
    damage(join(dir, 'bucket'));
    return writeLocalIni(dir, { basePath: dir, bucket: 'bucket', fqdn });
  }
  test('a truncated manifest names the object and exits 1', () => {
    const ini = damagedBucket('truncated', (b) => writeFileSync(join(b, fqdn, name, 'meta', 'manifest.json'), '[{"keyspace": "ks", "colu'));
    for (const cmd of [['status', '--backup-name', name], ['verify', '--backup-name', name]]) {
      const r = runMedusa(['--config-file', ini, ...cmd]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(oneErrorLine(r.stderr), new RegExp(`ERROR: ${fqdn}/${name}/meta/manifest\\.json: not valid JSON`));
    }
  });
  test('a non-numeric token names the object and exits 1', () => {
    const ini = damagedBucket('token', (b) =>
      writeFileSync(join(b, 'index', 'backup_index', name, `tokenmap_${fqdn}.json`), `{"${fqdn}": {"tokens": ["x1"], "is_up": true}}`),
    );
    const r = runMedusa(['--config-file', ini, 'fetch-tokenmap', '--backup-name', name]);
    assert.equal(r.status, 1);
    assert.match(oneErrorLine(r.stderr), /tokenmap_.*\.json: host .* token "x1" is not an integer/);
  });
  test('an index key of unexpected shape is named in a warning and ignored', () => {
    const ini = damagedBucket('stray', (b) => writeFileSync(join(b, 'index', 'backup_index', name, 'notes.txt'), 'hello'));
    const r = runMedusa(['--config-file', ini, 'list-backups']);
    assert.equal(r.status, 0);
    assert.match(oneErrorLine(r.stderr), /WARNING: Ignoring index object of unexpected shape: index\/backup_index\/.*\/notes\.txt/);
    assert.equal(r.lines.length, 1);
  });
  test('-v shows the details behind the error line', () => {
    const r = runMedusa(['-v', '--config-file', join(scratch.dir, 'nope.ini'), 'list-backups']);
    assert.equal(r.status, 2);
    assert.ok(r.stderr.trim().split('\n').length > 1, r.stderr);
  });
});

describe('secrets never reach logs', () => {
  test('passwords and keys are absent from stderr, even with -v and on errors', () => {
    const secret = 'Sup3rSecretValue';
    const ini = iniWith(
      'secrets',
      `[storage]\nstorage_provider = local\nbase_path = ${scratch.dir}\nbucket_name = secrets-bucket\nfqdn = n1\nsse_c_key = ${secret}\n` +
        `[cassandra]\ncql_password = ${secret}\nnodetool_password = ${secret}\nsstableloader_kspw = ${secret}\n`,
    );
    for (const args of [['-v', '--config-file', ini, 'status', '--backup-name', 'x'], ['-vv', '--config-file', ini, 'list-backups']]) {
      const r = runMedusa(args);
      assert.notEqual(r.stderr, '');
      assert.ok(!r.stderr.includes(secret) && !r.stdout.includes(secret), `secret leaked:\n${r.stderr}`);
    }
  });
});

