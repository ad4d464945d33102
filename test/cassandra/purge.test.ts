/**
 * Retention end to end on the real harness node, on local storage and on radosgw (s3_rgw, under a
 * prefix of its own): differential backups with writes and a compaction between them, then
 * `purge` (dry run, JSON, grace period), `purge-decommissioned` against the live topology read over
 * CQL (a node that backed up under another fqdn is gone from it) and `delete-backup`; every
 * remaining backup verifies with md5 checks after each step.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Client } from 'cassandra-driver';
import { loadConfig } from '../../src/config/index.js';
import { prefixPath } from '../../src/layout/keys.js';
import { listAll } from '../../src/storage/helpers.js';
import { openStorage } from '../../src/storage/open.js';
import { connectCql } from '../harness/cql-client.js';
import { compact, createKeyspace, createTable, flush, writeRows } from '../harness/cql-helpers.js';
import type { NodeDescriptor } from '../harness/node-descriptor.js';
import { runMedusa, scratchDir, type CliResult } from '../support/cli.js';
import { radosgwLines } from '../support/object-store-env.js';
import { testNode } from './backup-support.js';

const KS = 'medusa_purge_it';
const GHOST = '10.99.99.99';

interface Target {
  readonly name: string;
  /** `[storage]` lines besides fqdn and the retention settings. */
  storage(dir: string): Record<string, string | number | boolean>;
}

const targets: Target[] = [
  { name: 'local storage', storage: (dir) => ({ storage_provider: 'local', base_path: join(dir, 'store'), bucket_name: 'bucket' }) },
  { name: 'radosgw (s3_rgw, prefix)', storage: () => radosgwLines({ prefix: `purge-it-${process.pid}-${Date.now()}` }) },
];

function writeIni(dir: string, node: NodeDescriptor, storage: Record<string, string | number | boolean>): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'medusa.ini');
  const lines = [
    '[storage]',
    ...Object.entries({ ...storage, fqdn: node.host, max_backup_count: 2, concurrent_transfers: 2 }).map(([k, v]) => `${k} = ${String(v)}`),
    '',
    '[cassandra]',
    `config_file = ${node.cassandraYaml}`,
    `nodetool_executable = ${node.bin.nodetool}`,
    'resolve_ip_addresses = False',
    '',
  ];
  writeFileSync(file, lines.join('\n'));
  return file;
}

for (const target of targets) {
  describe(`retention on a real node, ${target.name}`, () => {
    const node = testNode();
    const scratch = scratchDir('medusa-purge-it-');
    let client: Client;
    let ini: string;
    const run = (...args: string[]): CliResult =>
      runMedusa(['--config-file', ini, '--without-log-timestamp', ...args], { cwd: scratch.dir, env: { MEDUSA_CACHE_DIR: join(scratch.dir, 'cache') } });
    const ok = (...args: string[]): CliResult => {
      const r = run(...args);
      assert.equal(r.status, 0, `medusa ${args.join(' ')}:\n${r.stdout}${r.stderr}`);
      return r;
    };
    /** Every key of the deployment (under its prefix), through our own storage stack. */
    const keys = async (): Promise<string[]> => {
      const { config } = await loadConfig({ configFile: ini, env: {} });
      const storage = await openStorage(config);
      try {
        return (await listAll(storage, prefixPath({ prefix: config.storage.prefix }))).map((o) => o.key);
      } finally {
        await storage.close();
      }
    };
    const verifyAll = (...names: string[]): void => {
      for (const name of names) ok('verify', '--backup-name', name, '--enable-md5-checks');
    };
    const backupNames = (): string[] =>
      ok('list-backups', '--show-all').lines.flatMap((l) => /^(\S+) \(started: /.exec(l)?.[1] ?? []);

    before(async () => {
      ini = writeIni(scratch.dir, node, target.storage(scratch.dir));
      client = connectCql([node]);
      await client.execute(`DROP KEYSPACE IF EXISTS ${KS}`);
      await createKeyspace(client, KS);
      await createTable(client, KS, 'events');
      await writeRows(client, KS, 'events', 300);
      await flush(node, KS);
    });
    after(async () => {
      await client.execute(`DROP KEYSPACE IF EXISTS ${KS}`).catch(() => undefined);
      await client.shutdown();
      scratch.cleanup();
    });

    test('differential history, plus backups of a node that left the cluster', async () => {
      ok('backup', '--backup-name', 'p1');
      await writeRows(client, KS, 'events', 300, 300);
      await flush(node, KS);
      ok('backup', '--backup-name', 'p2');
      await writeRows(client, KS, 'events', 300, 600);
      await flush(node, KS);
      await compact(node, KS);
      ok('backup', '--backup-name', 'p3');
      await writeRows(client, KS, 'events', 100, 900);
      await flush(node, KS);
      ok('backup', '--backup-name', 'p4');
      ok('--fqdn', GHOST, 'backup', '--backup-name', 'ghost1');
      assert.deepEqual(backupNames(), ['p1', 'p2', 'p3', 'p4', 'ghost1']);
    });

    test('purge --dry-run says what would go and deletes nothing', async () => {
      const before = await keys();
      const r = ok('purge', '--dry-run');
      assert.match(r.stdout, /^Would purge backup p1 of .*beyond max_backup_count \(2\)$/m);
      assert.match(r.stdout, /^Would purge backup p2 of /m);
      assert.doesNotMatch(r.stdout, /backup p[34] /);
      assert.deepEqual(await keys(), before);
    });

    test('purge keeps the two newest complete backups; compacted-away files wait for the grace period', () => {
      const r = ok('purge', '--output', 'json');
      const doc = JSON.parse(r.stdout) as Record<string, number>;
      assert.equal(doc['nbBackupsPurged'], 2);
      assert.ok(doc['totalObjectsWithinGcGrace']! > 0, r.stdout);
      assert.match(r.stderr, /INFO: Purging backup p1 from node /);
      assert.match(r.stderr, /INFO: Purged \d+ objects with a total size of /);
      assert.deepEqual(backupNames(), ['p3', 'p4', 'ghost1']);
      verifyAll('p3', 'p4');

      const g = ok('--backup-grace-period-in-days', '0', 'purge', '--output', 'json');
      const doc0 = JSON.parse(g.stdout) as Record<string, number>;
      assert.equal(doc0['nbBackupsPurged'], 0);
      assert.ok(doc0['nbObjectsPurged']! >= doc['totalObjectsWithinGcGrace']!, g.stdout);
      assert.equal(doc0['totalObjectsWithinGcGrace'], 0);
      verifyAll('p3', 'p4');
    });

    test('purge-decommissioned removes the node missing from the live topology, and only it', async () => {
      const before = await keys();
      assert.ok(before.some((k) => k.includes(`${GHOST}/`)));
      const dry = ok('purge-decommissioned', '--dry-run');
      assert.match(dry.stdout, new RegExp(`^Would purge backup ghost1 of ${GHOST.replaceAll('.', '\\.')} .*: node is not in the live topology of any datacenter$`, 'm'));
      assert.deepEqual(await keys(), before);

      const r = ok('--backup-grace-period-in-days', '0', 'purge-decommissioned');
      assert.match(r.stderr, new RegExp(`INFO: Decommissioned node backups to purge: ${GHOST.replaceAll('.', '\\.')}`));
      const after = await keys();
      assert.deepEqual(after.filter((k) => k.includes(GHOST)), []);
      assert.deepEqual(after, before.filter((k) => !k.includes(GHOST)));
      assert.deepEqual(backupNames(), ['p3', 'p4']);
      verifyAll('p3', 'p4');
    });

    test('delete-backup p3: p4 still verifies', () => {
      ok('delete-backup', '--backup-name', 'p3');
      assert.deepEqual(backupNames(), ['p4']);
      verifyAll('p4');
      const unknown = run('delete-backup', '--backup-name', 'p3');
      assert.equal(unknown.status, 1);
      assert.match(unknown.stderr, /No such backup: p3; nothing was deleted/);
    });
  });
}
