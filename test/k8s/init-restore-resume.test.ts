/**
 * The restore init container on the run's shared node, with a real object store (azurite, started
 * here on 127.0.0.1) so its download can be throttled: the backup is taken in Kubernetes mode
 * through the node's real Jolokia agent, then, as in a pod, Cassandra is stopped, `medusa
 * k8s-restore` runs with the init container's environment and is killed (SIGKILL) once some files
 * are in; run again it keeps what it had downloaded and checked, finishes, records the key, and
 * Cassandra starts with the backup's rows. Afterwards the same backup is restored once more by the
 * init flow (stop, k8s-restore, start) and once by `restore-node --in-place` (which stops and
 * starts Cassandra itself), and both times are printed with the load average.
 *
 * The image reads /etc/medusa/medusa.ini and keeps `.last-restore` in /var/lib/cassandra; this
 * node lives in a scratch folder, so `--config-file` and MEDUSA_LAST_RESTORE_FILE say where.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { types } from 'cassandra-driver';
import { withCql } from '../harness/cql-client.js';
import { countRows, createKeyspace, flush } from '../harness/cql-helpers.js';
import { nodePid, startNode, stopNode, waitNodeReady } from '../harness/node-control.js';
import { startAzurite, type AzuriteServer } from '../environments/object-stores/azurite.js';
import { MEDUSA_BIN, runMedusaAsync, scratchDir, type CliResult } from '../support/cli.js';
import { azureKeyFile } from '../support/object-store-env.js';
import { testNode } from '../cassandra/backup-support.js';

const KS = 'medusa_k8s_resume';
const ROWS = 480;
const BACKUP = 'resume1';

describe('the restore init container on a real node: killed half-way, it resumes', () => {
  const node = testNode();
  const scratch = scratchDir('medusa-k8s-resume-');
  const marker = join(scratch.dir, 'last-restore');
  const staging = join(dirname(node.dataDirs[0]!), `.medusa-restore-${node.host}-${BACKUP}`);
  let azurite: AzuriteServer;
  let keyFile: string;

  /** The pod's medusa.ini: azure storage, Kubernetes mode, snapshots through Jolokia. */
  const ini = (name: string, options: { bandwidth?: string; kubernetes?: boolean } = {}): string => {
    const file = join(scratch.dir, `${name}.ini`);
    writeFileSync(file, [
      '[storage]', 'storage_provider = azure_blobs', 'bucket_name = medusa', `fqdn = ${node.host}`,
      `host = ${azurite.host}`, `port = ${azurite.port}`, 'secure = False', `key_file = ${keyFile}`,
      ...(options.bandwidth ? [`transfer_max_bandwidth = ${options.bandwidth}`] : []), '',
      '[cassandra]', `config_file = ${node.cassandraYaml}`, `nodetool_executable = ${node.bin.nodetool}`,
      `start_cmd = ${node.bin.start}`, `stop_cmd = ${node.bin.stop}`, 'resolve_ip_addresses = False', '',
      ...(options.kubernetes === false ? [] : ['[kubernetes]', 'enabled = True', 'use_mgmt_api = False', `cassandra_url = ${node.jolokia?.url ?? ''}`, '']),
    ].join('\n'));
    return file;
  };
  const env = (key: string): NodeJS.ProcessEnv => ({
    BACKUP_NAME: BACKUP, RESTORE_KEY: key, MEDUSA_LAST_RESTORE_FILE: marker, MEDUSA_TMP_DIR: join(scratch.dir, 'tmp'),
    MEDUSA_CACHE_DIR: join(scratch.dir, 'cache'), POD_IP: '',
  });
  const medusa = (config: string, args: string[], key = 'unused'): Promise<CliResult> =>
    runMedusaAsync(['--config-file', config, '--without-log-timestamp', ...args], { env: env(key), timeoutMs: 900_000 });
  const rows = (): Promise<number> => withCql([node], (c) => countRows(c, KS, 'items'));
  const staged = (): number =>
    existsSync(staging) ? readdirSync(staging, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.name.startsWith('.medusa-tmp-')).length : 0;

  before(async () => {
    if (!node.jolokia) throw new Error('the harness node runs no Jolokia agent (cassandra-node environment)');
    azurite = await startAzurite();
    await azurite.createContainer('medusa');
    keyFile = azureKeyFile(azurite.account, azurite.key);
    await withCql([node], async (c) => {
      await createKeyspace(c, KS);
      await c.execute(`CREATE TABLE IF NOT EXISTS ${KS}.items (id int PRIMARY KEY, payload text)`);
      // ~4 MB of SSTables: a download throttled to 1 MB/s takes seconds, time to stop it half-way.
      for (let i = 0; i < ROWS; i++) await c.execute(`INSERT INTO ${KS}.items (id, payload) VALUES (?, ?)`, [i, randomBytes(8192).toString('hex')], { prepare: true });
    });
    await flush(node, KS);
    const b = await medusa(ini('pod'), ['backup', '--backup-name', BACKUP, '--mode', 'full']);
    assert.equal(b.status, 0, b.stderr);
  });

  after(async () => {
    // The node is the run's shared one: whatever happened here, the next file finds it serving.
    if (nodePid(node) === undefined) await startNode(node).catch(() => undefined);
    else await waitNodeReady(node).catch(() => undefined);
    await withCql([node], (c) => c.execute(`DROP KEYSPACE IF EXISTS ${KS}`)).catch(() => undefined);
    await azurite?.stop();
    scratch.cleanup();
  });

  test('killed once files are in, run again: it keeps them, finishes, and Cassandra starts with the backup\'s rows', async () => {
    await withCql([node], (c) => c.execute(`INSERT INTO ${KS}.items (id, payload) VALUES (100000, 'after the backup')`, [], { consistency: types.consistencies.one }));
    assert.equal(await rows(), ROWS + 1);
    const key = randomUUID();
    await stopNode(node);

    const slow = spawn(process.execPath, [MEDUSA_BIN, '--config-file', ini('slow', { bandwidth: '1MB/s' }), 'k8s-restore'], { env: { ...process.env, ...env(key) }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    slow.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => slow.on('close', (_code, signal) => resolve(signal)));
    let killedAt = 0;
    const deadline = Date.now() + 300_000;
    while (killedAt === 0) {
      const done = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 50))]);
      if (done) assert.fail(`the restore ended before it could be stopped half-way:\n${stderr}`);
      if (staged() >= 3) {
        killedAt = staged();
        slow.kill('SIGKILL');
      }
      assert.ok(Date.now() < deadline, `no file arrived within 5 minutes:\n${stderr}`);
    }
    assert.equal(await exited, 'SIGKILL');
    assert.equal(existsSync(marker), false, 'a killed restore records no key');

    const again = await medusa(ini('pod'), ['k8s-restore'], key);
    assert.equal(again.status, 0, again.stderr);
    const kept = /Downloaded \d+ files \(\d+ bytes\); (\d+) files \(\d+ bytes\) were already there/.exec(again.stderr);
    assert.ok(kept && Number(kept[1]) >= killedAt, `the second run kept the ${killedAt} files the first had checked:\n${again.stderr}`);
    assert.equal(readFileSync(marker, 'utf8'), `${key}\n`);
    assert.equal(existsSync(staging), false, 'the staging folder is removed after the restore');
    assert.equal(nodePid(node), undefined, 'the init container leaves starting Cassandra to Kubernetes');
    await startNode(node);
    assert.equal(await rows(), ROWS);
  });

  test('the same backup: init flow (stop, k8s-restore, start) next to restore-node --in-place', async () => {
    const t0 = Date.now();
    await stopNode(node);
    const stopped = Date.now();
    const init = await medusa(ini('pod'), ['k8s-restore'], randomUUID());
    assert.equal(init.status, 0, init.stderr);
    const restored = Date.now();
    await startNode(node);
    const initMs = Date.now() - t0;
    assert.equal(await rows(), ROWS);

    const t1 = Date.now();
    const plain = await medusa(ini('host', { kubernetes: false }), ['restore-node', '--backup-name', BACKUP, '--in-place']);
    assert.equal(plain.status, 0, plain.stderr);
    // restore-node returns once a port of the node answers ([checks] health_check = cql: native
    // or storage port); both figures run until CQL answers, as startNode waits for.
    await waitNodeReady(node);
    const plainMs = Date.now() - t1;
    assert.equal(await rows(), ROWS);
    const load = loadavg().map((l) => l.toFixed(1)).join(' ');
    console.log(`# restore of backup ${BACKUP} (~${ROWS * 16} KB of rows): init flow ${(initMs / 1000).toFixed(1)} s (stop ${((stopped - t0) / 1000).toFixed(1)} s, k8s-restore ${((restored - stopped) / 1000).toFixed(1)} s, start ${((t0 + initMs - restored) / 1000).toFixed(1)} s), restore-node --in-place ${(plainMs / 1000).toFixed(1)} s, ratio ${(initMs / plainMs).toFixed(2)} (load average ${load})`);
  });
});
