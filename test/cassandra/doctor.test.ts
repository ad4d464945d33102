/**
 * `medusa doctor` (the built CLI) against a real Cassandra node and every storage backend (local,
 * radosgw, MinIO, azurite, fake-gcs-server): healthy, every line passes and the exit is 0; broken
 * (wrong key, missing bucket, unreachable endpoint, nodetool missing, a full data disk on a tiny
 * tmpfs), the right line fails with its fix and the exit is 1. Around every run the bucket is
 * listed: nothing changes but the probe object, which is gone again. Each run's time is printed
 * (`# doctor time`) for the report.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/parse.js';
import { listAll, putText } from '../../src/storage/helpers.js';
import { openStorage } from '../../src/storage/open.js';
import { freePort } from '../environments/object-stores/processes.js';
import { runMedusa, scratchDir } from '../support/cli.js';
import { azureKeyFile, azuriteLines, fakeGcsLines, minioLines, radosgwLines, requireEnv, s3KeyFile } from '../support/object-store-env.js';
import { testNode } from './backup-support.js';

const node = testNode();
const scratch = scratchDir('medusa-doctor-');
after(() => scratch.cleanup());

type Lines = Record<string, string | number | boolean>;
interface Check { id: string; status: string; detail: string; fix?: string }

let runs = 0;
/** Writes an ini for `storage` (and [cassandra] keys over the node's) and runs doctor, with JSON output and as text. */
function doctor(label: string, storage: Lines, cassandra: Lines = {}): { status: number; checks: Check[]; text: string } {
  const dir = join(scratch.dir, `run${runs++}`);
  mkdirSync(dir, { recursive: true });
  const ini = join(dir, 'medusa.ini');
  writeFileSync(ini, [
    '[storage]', ...Object.entries(storage).map(([k, v]) => `${k} = ${String(v)}`),
    '[cassandra]',
    ...Object.entries({ config_file: node.cassandraYaml, nodetool_executable: node.bin.nodetool, resolve_ip_addresses: 'False', ...cassandra }).map(([k, v]) => `${k} = ${String(v)}`),
    '',
  ].join('\n'));
  const started = Date.now();
  const json = runMedusa(['--config-file', ini, 'doctor', '--skip-ssh', '--output', 'json'], { cwd: dir, timeoutMs: 300_000 });
  console.log(`# doctor time ${label}: ${((Date.now() - started) / 1000).toFixed(2)} s (load ${execFileSync('cat', ['/proc/loadavg']).toString().split(' ').slice(0, 3).join(' ')})`);
  const text = runMedusa(['--config-file', ini, 'doctor', '--skip-ssh'], { cwd: dir, timeoutMs: 300_000 });
  assert.equal(text.status, json.status, 'text and JSON runs agree');
  const report = JSON.parse(json.stdout) as { healthy: boolean; checks: Check[] };
  assert.equal(report.healthy, json.status === 0);
  return { status: json.status, checks: report.checks, text: text.stdout };
}

/** Every key under the prefix the lines name, through medusa's own storage layer. */
async function keysUnder(lines: Lines): Promise<string[]> {
  const body = Object.entries(lines).map(([k, v]) => `${k} = ${String(v)}`).join('\n');
  const { config } = parseConfig(`[storage]\n${body}\n`, { defaultFqdn: 'n1' });
  const storage = await openStorage(config);
  try {
    return (await listAll(storage, `${String(lines.prefix)}/`)).map((o) => o.key).sort();
  } finally {
    await storage.close();
  }
}

async function seed(lines: Lines): Promise<void> {
  const body = Object.entries(lines).map(([k, v]) => `${k} = ${String(v)}`).join('\n');
  const { config } = parseConfig(`[storage]\n${body}\n`, { defaultFqdn: 'n1' });
  const storage = await openStorage(config);
  try {
    await putText(storage, `${String(lines.prefix)}/n1/existing/meta/schema.cql`, 'CREATE KEYSPACE x;');
  } finally {
    await storage.close();
  }
}

function only(checks: Check[], id: string): Check {
  const c = checks.find((x) => x.id === id);
  assert.ok(c, `no check ${id} in ${checks.map((x) => x.id).join(', ')}`);
  return c;
}

const localBase = join(scratch.dir, 'local');
const notAFolder = join(scratch.dir, 'a-file');
writeFileSync(notAFolder, '');
mkdirSync(join(localBase, 'bucket'), { recursive: true });

const backends: { label: string; lines: () => Lines; wrongKey?: () => Lines; endpoint?: boolean }[] = [
  { label: 'local', lines: () => ({ storage_provider: 'local', base_path: localBase, bucket_name: 'bucket' }) },
  { label: 'radosgw', lines: () => radosgwLines(), wrongKey: () => ({ key_file: s3KeyFile(requireEnv('MEDUSA_TEST_S3_ACCESS_KEY'), 'not-the-secret') }), endpoint: true },
  { label: 'MinIO', lines: () => minioLines(), wrongKey: () => ({ key_file: s3KeyFile(requireEnv('MEDUSA_TEST_MINIO_ACCESS_KEY'), 'not-the-secret') }), endpoint: true },
  { label: 'azurite', lines: () => azuriteLines(), wrongKey: () => ({ key_file: azureKeyFile(requireEnv('MEDUSA_TEST_AZURITE_ACCOUNT'), Buffer.from('wrong key').toString('base64')) }), endpoint: true },
  { label: 'fake-gcs-server', lines: () => fakeGcsLines(), wrongKey: () => ({ key_file: join(scratch.dir, 'no-such-key.json') }), endpoint: true },
];

for (const b of backends) {
  describe(`doctor on ${b.label}`, () => {
    const prefix = `doctor-${randomBytes(4).toString('hex')}`;
    const lines = (): Lines => ({ ...b.lines(), prefix, fqdn: node.host });

    test('healthy: every line OK, exit 0, and the bucket unchanged', async () => {
      await seed(lines());
      const before = await keysUnder(lines());
      const r = doctor(`${b.label} healthy`, lines());
      assert.equal(r.status, 0, r.text);
      assert.deepEqual(r.checks.filter((c) => c.status !== 'ok'), []);
      assert.deepEqual(r.checks.map((c) => c.id).slice(0, 8), ['config', 'config-files', 'storage-credentials', 'bucket', 'bucket-probe', 'clock-skew', 'nodetool', 'cql']);
      assert.match(r.text, /^OK {3}probe object write\/read\/delete: .*medusa-doctor-probe-[0-9a-f]+ written, read back and deleted$/m);
      assert.match(r.text, /^All \d+ checks passed$/m);
      assert.deepEqual(await keysUnder(lines()), before, 'only the probe came and went');
    });

    if (b.wrongKey) {
      test('wrong key: the credentials line fails with its fix; the bucket checks are skipped', () => {
        const r = doctor(`${b.label} wrong key`, { ...lines(), ...b.wrongKey!() });
        assert.equal(r.status, 1);
        const c = only(r.checks, 'storage-credentials');
        assert.equal(c.status, 'fail', JSON.stringify(c));
        assert.match(c.fix ?? '', /key_file/);
        assert.equal(only(r.checks, 'bucket-probe').status, 'skipped');
        assert.match(r.text, /^FAIL storage credentials: .* -> fix: /m);
      });
    }

    test('missing bucket: the bucket line fails with its fix', () => {
      // The local store creates its bucket folder (and base_path) itself: there, a bucket is
      // missing for good when no folder can be made, as under a regular file.
      const missing: Lines = b.label === 'local' ? { base_path: join(notAFolder, 'base') } : { bucket_name: `no-such-bucket-${randomBytes(3).toString('hex')}` };
      const r = doctor(`${b.label} missing bucket`, { ...lines(), ...missing });
      assert.equal(r.status, 1);
      const c = only(r.checks, 'bucket');
      assert.equal(c.status, 'fail', JSON.stringify(r.checks));
      assert.match(c.fix ?? '', /bucket_name|base_path/);
      assert.equal(only(r.checks, 'bucket-probe').status, 'skipped');
    });

    if (b.endpoint) {
      test('unreachable endpoint: the credentials line says so, with its fix', async () => {
        const r = doctor(`${b.label} unreachable`, { ...lines(), port: await freePort() });
        assert.equal(r.status, 1);
        const c = only(r.checks, 'storage-credentials');
        assert.equal(c.status, 'fail', JSON.stringify(c));
        assert.match(c.detail, /cannot reach/);
        assert.match(c.fix ?? '', /host, port and secure/);
      });
    }
  });
}

describe('doctor on the node side', () => {
  const local = (): Lines => ({ storage_provider: 'local', base_path: localBase, bucket_name: 'bucket', prefix: 'node-side', fqdn: node.host });

  test('nodetool missing: its line fails with its fix; the rest still runs', () => {
    const r = doctor('nodetool missing', local(), { nodetool_executable: '/nonexistent/bin/nodetool' });
    assert.equal(r.status, 1);
    const c = only(r.checks, 'nodetool');
    assert.equal(c.status, 'fail');
    assert.match(c.detail, /not found/);
    assert.match(c.fix ?? '', /nodetool_executable/);
    assert.equal(only(r.checks, 'cql').status, 'ok');
  });

  test('a full data disk (tiny tmpfs): the data directory line fails with its fix', () => {
    const mount = join(scratch.dir, 'tiny');
    mkdirSync(mount);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'medusa-doctor-tiny', mount]);
    try {
      const data = join(mount, 'data');
      mkdirSync(data);
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${join(data, 'filler')}`, 'bs=64k', 'count=64'], { stdio: 'ignore' });
      } catch {
        // dd stops with ENOSPC once the file system is full: that is the point.
      }
      const yaml = join(scratch.dir, 'tiny-cassandra.yaml');
      const original = execFileSync('cat', [node.cassandraYaml]).toString();
      writeFileSync(yaml, `${original.replace(/^data_file_directories:[\s\S]*?(?=^\S)/m, '')}\ndata_file_directories:\n    - ${data}\n`);
      const r = doctor('full disk', local(), { config_file: yaml });
      assert.equal(r.status, 1);
      const c = only(r.checks, `data-dir:${data}`);
      assert.equal(c.status, 'fail', JSON.stringify(r.checks));
      assert.match(c.detail, /free/);
      assert.match(c.fix ?? '', /free space/);
    } finally {
      execFileSync('umount', [mount]);
    }
  });
});
