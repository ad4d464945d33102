/**
 * `medusa doctor` as a child process without Cassandra (nodetool and CQL lines fail, as they
 * must): the output shape (one OK/FAIL/SKIP line per check, the fix on the FAIL lines, a closing
 * line, --output json), a broken configuration (its line fails naming the key, everything after is
 * skipped), files the configuration names, and the local bucket left as it was.
 * The same checks against a real node and every object store: test/cassandra/doctor.test.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { MEDUSA_BIN, runMedusa, scratchDir, writeLocalIni } from '../support/cli.js';

const scratch = scratchDir('medusa-doctor-e2e-');
after(() => scratch.cleanup());

let n = 0;
function setup(storageExtra = '', cassandraExtra = ''): { dir: string; ini: string } {
  const dir = join(scratch.dir, `d${n++}`);
  mkdirSync(join(dir, 'bucket', 'n1', 'b1', 'meta'), { recursive: true });
  writeFileSync(join(dir, 'bucket', 'n1', 'b1', 'meta', 'schema.cql'), 'CREATE KEYSPACE x;');
  mkdirSync(join(dir, 'data'));
  const yaml = join(dir, 'cassandra.yaml');
  writeFileSync(yaml, `cluster_name: t\nnative_transport_port: 1\nrpc_address: 127.0.0.1\ndata_file_directories: [${join(dir, 'data')}]\n`);
  const ini = writeLocalIni(dir, {
    basePath: dir, bucket: 'bucket', fqdn: 'n1',
    extra: `${storageExtra}\n[cassandra]\nconfig_file = ${yaml}\nnodetool_executable = ${join(dir, 'no-nodetool')}\nresolve_ip_addresses = False\n${cassandraExtra}`,
  });
  return { dir, ini };
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

describe('medusa doctor (no Cassandra)', () => {
  test('one line per check, status first, the fix on failures; storage passes and the bucket is unchanged; exit 1', () => {
    const { dir, ini } = setup();
    const before = files(join(dir, 'bucket'));
    const r = runMedusa(['--config-file', ini, 'doctor'], { cwd: dir, timeoutMs: 120_000 });
    assert.equal(r.status, 1);
    const [last, ...rest] = [...r.lines].reverse();
    assert.match(last!, /^\d+ of \d+ checks did not pass$/);
    for (const line of rest) assert.match(line, /^(OK {2}|FAIL|SKIP) [^:]+: \S/);
    assert.deepEqual(r.lines.slice(0, 6).map((l) => l.slice(0, 4)), ['OK  ', 'OK  ', 'OK  ', 'OK  ', 'OK  ', 'OK  ']);
    assert.match(r.stdout, /^FAIL nodetool \/ JMX: .*not found -> fix: .*nodetool_executable/m);
    assert.match(r.stdout, /^FAIL CQL \(and authentication\): cannot connect .* -> fix: /m);
    assert.match(r.stdout, /^OK {3}data directory .*: readable, [\d.]+ MiB free$/m);
    assert.match(r.stdout, /^SKIP \[ssh\] hosts: needs CQL/m);
    assert.deepEqual(files(join(dir, 'bucket')), before, 'the probe came and went');
  });

  test('--output json: healthy, and every check with id, status, detail, fix and time', () => {
    const { dir, ini } = setup();
    const r = runMedusa(['--config-file', ini, 'doctor', '--output', 'json', '--skip-ssh'], { cwd: dir, timeoutMs: 120_000 });
    assert.equal(r.status, 1);
    const report = JSON.parse(r.stdout) as { healthy: boolean; checks: { id: string; status: string; detail: string; fix?: string; ms: number }[] };
    assert.equal(report.healthy, false);
    assert.deepEqual(report.checks.map((c) => c.id), ['config', 'config-files', 'storage-credentials', 'bucket', 'bucket-probe', 'clock-skew', 'nodetool', 'cql', `data-dir:${join(dir, 'data')}`]);
    for (const c of report.checks) {
      assert.ok(c.ms >= 0);
      assert.equal(c.fix !== undefined, c.status === 'fail', c.id);
    }
  });

  test('a bad key: the config line fails naming it, every later check is skipped', () => {
    const { dir, ini } = setup('concurrent_transfers = many');
    const r = runMedusa(['--config-file', ini, 'doctor'], { cwd: dir });
    assert.equal(r.status, 1);
    assert.match(r.lines[0]!, /^FAIL config file \(every key\): .*\[storage\] concurrent_transfers: .* -> fix: /);
    assert.ok(r.lines.slice(1, -1).every((l) => l.startsWith('SKIP ')), r.stdout);
  });

  test('a local bucket not made yet: OK (the first backup makes it), and doctor leaves no folder behind', () => {
    const { dir } = setup();
    const fresh = writeLocalIni(join(dir, 'fresh'), { basePath: join(dir, 'new-base'), bucket: 'b', fqdn: 'n1' });
    const r = runMedusa(['--config-file', fresh, 'doctor', '--skip-ssh'], { cwd: dir, timeoutMs: 120_000 });
    assert.match(r.stdout, /^OK {3}bucket exists and lists: .*new-base\/b does not exist yet; the first backup creates it$/m);
    assert.match(r.stdout, /^OK {3}probe object write\/read\/delete: /m);
    assert.ok(!readdirSync(dir).includes('new-base'), 'the folders made for the probe are gone');
  });

  test('a local bucket that cannot be made: the bucket line fails, the probe is skipped', () => {
    const { dir } = setup();
    writeFileSync(join(dir, 'plain-file'), '');
    const broken = writeLocalIni(join(dir, 'broken'), { basePath: join(dir, 'plain-file', 'base'), bucket: 'b', fqdn: 'n1' });
    const r = runMedusa(['--config-file', broken, 'doctor', '--skip-ssh'], { cwd: dir, timeoutMs: 120_000 });
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^FAIL bucket exists and lists: .*plain-file is not a folder -> fix: /m);
    assert.match(r.stdout, /^SKIP probe object write\/read\/delete: needs the bucket$/m);
  });

  test('a missing config file: its line fails, exit 1', () => {
    const r = runMedusa(['--config-file', join(scratch.dir, 'none.ini'), 'doctor'], { cwd: scratch.dir });
    assert.equal(r.status, 1);
    assert.match(r.lines[0]!, /^FAIL config file \(every key\): .*none\.ini/);
  });

  test('files the config names: an unreadable TLS file and a metrics folder that does not exist', () => {
    const { dir, ini } = setup(`\n[monitoring]\nmonitoring_provider = prometheus\nprometheus_textfile = /nonexistent/dir/medusa.prom`, 'certfile = /nonexistent/ca.pem');
    const r = runMedusa(['--config-file', ini, 'doctor', '--skip-ssh'], { cwd: dir, timeoutMs: 120_000 });
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^FAIL files named in the config: .*\[cassandra\] certfile: cannot read \/nonexistent\/ca\.pem.*\[monitoring\] prometheus_textfile: cannot write in the folder of .* -> fix: /m);
  });

  test('a reader that closes the pipe early (| head -1) ends nothing badly: the run completes, no stack trace', () => {
    const { dir, ini } = setup();
    const r = spawnSync('bash', ['-c', 'set -o pipefail; "$0" --config-file "$1" doctor --skip-ssh | head -1', MEDUSA_BIN, ini], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    assert.match(r.stdout, /^OK {3}config file/);
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|at .*\.js:\d+/, r.stderr);
    assert.match(r.stderr, /checks did not pass/, 'the command ran to its end');
    assert.equal(r.status, 1, 'its own exit code (a check fails: no nodetool), not a crash');
  });
});
