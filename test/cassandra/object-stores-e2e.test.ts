/**
 * Backup, verify and download of a real Cassandra node against real object stores (radosgw for the
 * S3 family, azurite for Azure): the backup and restore code use the backends unchanged.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Client } from 'cassandra-driver';
import { connectCql } from '../harness/cql-client.js';
import { createKeyspace, createTable, flush, writeRows } from '../harness/cql-helpers.js';
import { runMedusa, scratchDir } from '../support/cli.js';
import { azuriteLines, radosgwLines } from '../support/object-store-env.js';
import { testNode } from './backup-support.js';

const KS = 'medusa_objstore_it';
const node = testNode();
const scratch = scratchDir('medusa-objstore-e2e-');
let client: Client;

before(async () => {
  client = connectCql([node]);
  await createKeyspace(client, KS);
  await createTable(client, KS, 'events', { secondaryIndex: true });
  await writeRows(client, KS, 'events', 300);
  await flush(node, KS);
});
after(async () => {
  await client.execute(`DROP KEYSPACE IF EXISTS ${KS}`).catch(() => undefined);
  await client.shutdown();
  scratch.cleanup();
});

/** Files below `dir`, as paths relative to it. */
function filesUnder(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel)).flatMap((e) => {
    const path = join(rel, e);
    return statSync(join(dir, path)).isDirectory() ? filesUnder(dir, path) : [path];
  });
}

for (const [label, lines] of [
  ['s3_rgw on radosgw', () => radosgwLines()],
  ['azure_blobs on azurite', () => azuriteLines()],
] as const) {
  describe(`backup, verify and download through ${label}`, () => {
    const dir = join(scratch.dir, label.split(' ')[0]!);
    let ini: string;
    const medusa = (...args: string[]) => runMedusa(['--config-file', ini, '--without-log-timestamp', ...args], { cwd: dir, env: { MEDUSA_CACHE_DIR: join(dir, 'cache') }, timeoutMs: 600_000 });

    before(() => {
      mkdirSync(dir, { recursive: true });
      // A fresh prefix keeps this run apart from the conformance suites sharing the bucket.
      const storage = { ...lines(), prefix: `e2e-${randomBytes(4).toString('hex')}`, fqdn: node.host, concurrent_transfers: 2 };
      ini = join(dir, 'medusa.ini');
      writeFileSync(
        ini,
        [
          '[storage]',
          ...Object.entries(storage).map(([k, v]) => `${k} = ${String(v)}`),
          '[cassandra]',
          `config_file = ${node.cassandraYaml}`,
          `nodetool_executable = ${node.bin.nodetool}`,
          'resolve_ip_addresses = False',
          '',
        ].join('\n'),
      );
    });

    /** The stored keys a backup's manifest lists for the test keyspace (read through `download`). */
    const storedObjectsOf = (backup: string): string[] => {
      const dest = join(dir, `manifest-of-${backup}`);
      mkdirSync(dest, { recursive: true });
      const d = medusa('download', '--backup-name', backup, '--download-destination', dest, '--keyspace', KS);
      assert.equal(d.status, 0, d.stderr);
      const manifest = JSON.parse(readFileSync(join(dest, 'manifest.json'), 'utf8')) as Array<{ keyspace: string; objects: Array<{ path: string }> }>;
      return manifest.filter((s) => s.keyspace === KS).flatMap((s) => s.objects.map((o) => o.path)).sort();
    };

    test('a full then a differential backup verify with md5 checks; the differential reuses the pool', () => {
      for (const [name, mode] of [['full1', 'full'], ['diff1', 'differential'], ['diff2', 'differential']] as const) {
        const b = medusa('backup', '--backup-name', name, '--mode', mode);
        assert.equal(b.status, 0, b.stderr);
        const v = medusa('verify', '--backup-name', name, '--enable-md5-checks');
        assert.equal(v.status, 0, v.stdout + v.stderr);
        assert.match(v.stdout, /- Manifest validated: OK!!/);
      }
      const diff2 = medusa('status', '--backup-name', 'diff2');
      assert.equal(diff2.status, 0, diff2.stderr);
      const b3 = medusa('backup', '--backup-name', 'diff3');
      assert.equal(b3.status, 0, b3.stderr);
      // Only this test's keyspace is unchanged: Cassandra keeps writing its own system tables
      // (compaction history, size estimates, ...), and the snapshot flushes them into new files.
      const before = storedObjectsOf('diff2');
      const after = storedObjectsOf('diff3');
      assert.ok(after.length > 0, 'diff3 backs up the test keyspace');
      assert.deepEqual(after.filter((k) => !before.includes(k)), [], `an unchanged keyspace re-uploads nothing:\n${b3.stderr}`);
      const list = medusa('list-backups');
      assert.deepEqual(list.lines.map((l) => l.split(' ')[0]), ['full1', 'diff1', 'diff2', 'diff3']);
    });

    test('download brings back every file of the keyspace, checked against the manifest', () => {
      const dest = join(dir, 'download');
      mkdirSync(dest, { recursive: true });
      const d = medusa('download', '--backup-name', 'diff2', '--download-destination', dest, '--keyspace', KS);
      assert.equal(d.status, 0, d.stderr);
      const manifest = JSON.parse(readFileSync(join(dest, 'manifest.json'), 'utf8')) as Array<{ keyspace: string; columnfamily: string; objects: Array<{ path: string; size: number }> }>;
      const ours = manifest.filter((s) => s.keyspace === KS);
      assert.ok(ours.length > 0);
      for (const section of ours) {
        const folder = join(dest, section.keyspace, section.columnfamily);
        for (const o of section.objects) {
          // The path below the table folder (a content-tagged key's folder is `<table>~<md5>[~n]`).
          const tableFolder = new RegExp(`/${section.columnfamily}(~[0-9a-f]{32}(~\\d+)?)?/`).exec(o.path);
          assert.ok(tableFolder, `${o.path} is under its table folder`);
          const rel = o.path.slice(tableFolder.index + tableFolder[0].length);
          const file = join(folder, rel);
          assert.ok(existsSync(file), `${file} downloaded`);
          assert.equal(statSync(file).size, o.size, file);
        }
      }
      assert.ok(filesUnder(dest).some((f) => f.includes('/.events_')), 'secondary-index files downloaded');
    });
  });
}
