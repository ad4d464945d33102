/**
 * The operator's flow (k8ssandra-operator's MedusaBackupJob, MedusaTask purge/sync; spec
 * medusa-agent.md §4) replayed against `medusa grpc-server` on the shared harness node, through the
 * reference's own Python stubs and client: AsyncBackup, BackupStatus polled until SUCCESS,
 * GetBackups read as the operator reads it, Prometheus `/metrics` (`[monitoring]
 * prometheus_http_port`) scraped after that backup, a changed medusa.ini picked up by the next backup,
 * PurgeBackups, then the backup restored (sstableloader into the live node, so the shared node
 * never stops) and its rows counted. Then the design §5 fixes: a kill -9 of the agent (its whole
 * process group, as a killed container) mid-backup and a restart: that backup reads FAILED, its
 * snapshot and lock are gone, the next AsyncBackup succeeds; SIGTERM mid-backup stops it cleanly.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Client } from 'cassandra-driver';
import { connectCql } from '../harness/cql-client.js';
import { countRows, createKeyspace, createTable, flush, truncateTable, writeRows } from '../harness/cql-helpers.js';
import { freePorts } from '../harness/free-ports.js';
import { startOurAgent, type AgentProcess } from '../support/agent-servers.js';
import { MEDUSA_BIN, scratchDir } from '../support/cli.js';
import { ReferenceGrpcClient, okResponse } from '../support/medusa-grpc-client.js';
import { snapshotDirs, testNode } from './backup-support.js';
import { pollBackupStatus, type OperatorSummary } from '../support/operator-flow.js';

const KS = 'medusa_agent_it';
const ROWS = 500;

describe('the operator flow against medusa grpc-server on a real node', () => {
  const node = testNode();
  const scratch = scratchDir('medusa-agent-flow-');
  const ini = join(scratch.dir, 'medusa.ini');
  const bucketDir = join(scratch.dir, 'store', 'bucket');
  const cacheDir = join(scratch.dir, 'cache');
  const tag = Date.now().toString(36);
  let port: number;
  let metricsPort: number;
  let client: ReferenceGrpcClient;
  let cql: Client;
  let agent: AgentProcess | undefined;

  const writeIni = (storageExtra = ''): void =>
    writeFileSync(ini, [
      '[storage]', 'storage_provider = local', `base_path = ${join(scratch.dir, 'store')}`, 'bucket_name = bucket', `fqdn = ${node.host}`, storageExtra,
      '[cassandra]', `config_file = ${node.cassandraYaml}`, `nodetool_executable = ${node.bin.nodetool}`, `sstableloader_bin = ${node.bin.sstableloader}`, 'resolve_ip_addresses = False',
      '[monitoring]', 'monitoring_provider = prometheus', `prometheus_textfile = ${join(scratch.dir, 'medusa.prom')}`, `prometheus_http_port = ${metricsPort}`, 'prometheus_http_host = 127.0.0.1',
      '[grpc]', 'enabled = 1', `port = ${port}`, '',
    ].join('\n'));
  const start = async (): Promise<AgentProcess> => {
    agent = await startOurAgent(ini, { port, client, detached: true, env: { MEDUSA_CACHE_DIR: cacheDir } });
    return agent;
  };
  const call = (rpc: string, request: Record<string, unknown> = {}) => client.call(agent!.target, rpc, request);
  const metaExists = (name: string, file: string, prefix = ''): boolean => existsSync(join(bucketDir, prefix, node.host, name, 'meta', file));
  const waitFor = async (what: string, ok: () => boolean, timeoutMs = 300_000, everyMs = 20): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!ok()) {
      assert.ok(Date.now() < deadline, `${what} did not happen within ${timeoutMs / 1000} s:\n${agent?.log().slice(-3000) ?? ''}`);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  };
  /**
   * The backup's index start entry exists: its metadata and index entries are stored and it is on
   * its way to the snapshot (a nodetool JVM, seconds), so a stop now lands mid-backup. Waiting for
   * `meta/schema.cql` alone raced the entries written after it.
   */
  const indexStarted = (name: string): boolean => {
    const folder = join(bucketDir, 'index', 'backup_index', name);
    return existsSync(folder) && readdirSync(folder).some((f) => f.startsWith(`started_${node.host}_`));
  };
  const locks = (): string[] => (existsSync(join(cacheDir, 'backup-locks')) ? readdirSync(join(cacheDir, 'backup-locks')).filter((f) => f.endsWith('.lock')) : []);

  before(async () => {
    [port, metricsPort] = (await freePorts(2)) as [number, number];
    writeIni();
    client = ReferenceGrpcClient.start();
    cql = connectCql([node]);
    await createKeyspace(cql, KS);
    await createTable(cql, KS, 'users');
    await writeRows(cql, KS, 'users', ROWS);
    await flush(node, KS);
    await start();
  });

  after(async () => {
    await agent?.kill9();
    for (const t of ['op-1', 'op-2', 'op-3', 'op-kill', 'op-after', 'op-term']) {
      spawnSync(node.bin.nodetool, ['clearsnapshot', '-t', `medusa-${t}-${tag}`], { timeout: 120_000 });
    }
    await cql?.execute(`DROP KEYSPACE IF EXISTS ${KS}`).catch(() => undefined);
    await cql?.shutdown();
    await client?.close();
    scratch.cleanup();
  });

  test('AsyncBackup → IN_PROGRESS at once; the same name again starts nothing; another name is refused, naming it', async () => {
    const name = `op-1-${tag}`;
    assert.deepEqual(okResponse(await call('AsyncBackup', { name, mode: 'DIFFERENTIAL' }), 'AsyncBackup'), { backupName: name, status: 'IN_PROGRESS' });
    assert.deepEqual(okResponse(await call('AsyncBackup', { name, mode: 'DIFFERENTIAL' }), 'AsyncBackup again'), { backupName: name, status: 'IN_PROGRESS' });
    const other = await call('AsyncBackup', { name: `op-other-${tag}`, mode: 'FULL' });
    assert.ok(!other.ok && other.code === 'FAILED_PRECONDITION' && other.details.includes(name), JSON.stringify(other));
    const del = await call('DeleteBackup', { name });
    assert.ok(!del.ok && del.code === 'FAILED_PRECONDITION' && /in progress/.test(del.details), JSON.stringify(del));
    const seen = await pollBackupStatus(client, agent!.target, name);
    assert.deepEqual([...new Set(seen)], ['IN_PROGRESS', 'SUCCESS'].filter((s) => seen.includes(s)));
    assert.equal(seen.at(-1), 'SUCCESS');
    assert.match(agent!.log(), new RegExp(`Backup ${name} is already running: nothing new started`));
    assert.ok(!metaExists(`op-other-${tag}`, 'schema.cql'), 'the refused backup wrote nothing');
    assert.equal(await client.client(agent!.target, 'get_backup_status', name), 'SUCCESS');
    assert.equal(await client.client(agent!.target, 'backup_exists', name), true);
    const again = await call('AsyncBackup', { name, mode: 'DIFFERENTIAL' });
    assert.ok(!again.ok && again.code === 'ALREADY_EXISTS', JSON.stringify(again));
  });

  test('GetBackups as the operator reads it: nodes with host, tokens, dc, rack; sizes from the manifest', async () => {
    const name = `op-1-${tag}`;
    const listed = okResponse(await call('GetBackups'), 'GetBackups') as { backups: OperatorSummary[]; overallStatus: string };
    const summary = listed.backups.find((b) => b.backupName === name);
    assert.ok(summary, JSON.stringify(listed));
    const manifest = JSON.parse(readFileSync(join(bucketDir, node.host, name, 'meta', 'manifest.json'), 'utf8')) as Array<{ objects: Array<{ size: number }> }>;
    const objects = manifest.flatMap((s) => s.objects);
    assert.deepEqual(
      { totalNodes: summary.totalNodes, finishedNodes: summary.finishedNodes, status: summary.status, backupType: summary.backupType, totalObjects: summary.totalObjects, totalSize: summary.totalSize },
      { totalNodes: 1, finishedNodes: 1, status: 'SUCCESS', backupType: 'differential', totalObjects: String(objects.length), totalSize: String(objects.reduce((n, o) => n + o.size, 0)) },
    );
    // Tokens in the tokenmap's order (Medusa writes them sorted as strings): compared as a set.
    const nodes = summary.nodes.map((n) => ({ ...n, tokens: [...n.tokens].sort() }));
    assert.deepEqual(nodes, [{ host: node.host, tokens: [...node.tokens].sort(), datacenter: node.dc, rack: node.rack }]);
    assert.ok(Number(summary.finishTime) >= Number(summary.startTime) && Number(summary.startTime) > 0);
    assert.equal(listed.overallStatus, 'SUCCESS');
  });

  test('Prometheus /metrics, scraped after that backup, shows it', async () => {
    const name = `op-1-${tag}`;
    const r = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const body = await r.text();
    const sample = (series: string): number | undefined => {
      const line = body.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    const labels = `backup_type="differential",fqdn="${node.host}"`;
    assert.equal(sample(`medusa_backup_last_info{backup_name="${name}",${labels}}`), 1, body);
    assert.equal(sample(`medusa_backup_last_success{${labels}}`), 1, body);
    assert.equal(sample(`medusa_backup_runs_total{${labels}}`), 1, body);
    const manifest = JSON.parse(readFileSync(join(bucketDir, node.host, name, 'meta', 'manifest.json'), 'utf8')) as Array<{ objects: Array<{ size: number }> }>;
    assert.equal(sample(`medusa_backup_last_size_bytes{${labels}}`), manifest.flatMap((s) => s.objects).reduce((n, o) => n + o.size, 0), body);
  });

  test('a changed medusa.ini is picked up by the next backup, without a restart', async () => {
    writeIni('prefix = tenant2');
    const name = `op-2-${tag}`;
    okResponse(await call('AsyncBackup', { name, mode: 'FULL' }), 'AsyncBackup under the new prefix');
    assert.equal((await pollBackupStatus(client, agent!.target, name)).at(-1), 'SUCCESS');
    assert.ok(metaExists(name, 'manifest.json', 'tenant2'), 'stored under the new prefix');
    const listed = okResponse(await call('GetBackups'), 'GetBackups') as { backups: OperatorSummary[] };
    assert.deepEqual(listed.backups.map((b) => [b.backupName, b.backupType]), [[name, 'full']]);
    writeIni('max_backup_count = 1');
  });

  test('PurgeBackups with the new retention, then the kept backup restored: the rows are back', async () => {
    const name = `op-3-${tag}`;
    // The synchronous Backup, through the reference client's own method: it answers at the end.
    assert.deepEqual(await client.client(agent!.target, 'backup', name, 'differential'), { backupName: name, status: 'SUCCESS' });
    const purged = okResponse(await call('PurgeBackups'), 'PurgeBackups');
    assert.equal(purged.nbBackupsPurged, 1, JSON.stringify(purged));
    assert.ok(Number(purged.nbObjectsPurged) > 0, JSON.stringify(purged));
    assert.ok(!metaExists(`op-1-${tag}`, 'schema.cql'), 'the older backup is gone');
    const listed = okResponse(await call('GetBackups'), 'GetBackups') as { backups: OperatorSummary[] };
    assert.deepEqual(listed.backups.map((b) => b.backupName), [name]);

    await truncateTable(cql, KS, 'users');
    assert.equal(await countRows(cql, KS, 'users'), 0);
    mkdirSync(join(scratch.dir, 'restore-tmp'), { recursive: true });
    const r = spawnSync(MEDUSA_BIN, ['--config-file', ini, 'restore-node', '--backup-name', name, '--use-sstableloader', '--keyspace', KS, '--temp-dir', join(scratch.dir, 'restore-tmp')], {
      encoding: 'utf8', timeout: 900_000, env: { ...process.env, TZ: 'UTC', MEDUSA_CACHE_DIR: cacheDir },
    });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.equal(await countRows(cql, KS, 'users'), ROWS);
  });

  test('kill -9 mid-backup, restart: that backup reads FAILED, its snapshot and lock are gone, the next one succeeds', async () => {
    const name = `op-kill-${tag}`;
    okResponse(await call('AsyncBackup', { name, mode: 'FULL' }), 'AsyncBackup');
    await waitFor(`${name}'s index start entry`, () => indexStarted(name));
    await agent!.kill9();
    assert.ok(!metaExists(name, 'manifest.json'), 'killed before it finished');
    assert.equal(locks().length, 1, 'the dead agent left its lock');
    await start();
    // The clean-up runs in the background once the agent serves (Cassandra may still be starting beside it).
    await waitFor('the dead backup\'s lock and snapshot cleared', () => locks().length === 0 && snapshotDirs(node, `medusa-${name}`).length === 0, 300_000, 200);
    const status = okResponse(await call('BackupStatus', { backupName: name }), 'BackupStatus') as Record<string, string>;
    assert.equal(status.status, 'FAILED');
    assert.equal(status.finishTime, '');
    assert.match(agent!.log(), new RegExp(`Backup ${name} of ${node.host.replace(/\./g, '\\.')} was left unfinished by process \\d+`));
    const next = `op-after-${tag}`;
    okResponse(await call('AsyncBackup', { name: next, mode: 'DIFFERENTIAL' }), 'AsyncBackup after the crash');
    assert.equal((await pollBackupStatus(client, agent!.target, next)).at(-1), 'SUCCESS');
    const listed = okResponse(await call('GetBackups'), 'GetBackups') as { backups: OperatorSummary[] };
    assert.deepEqual(listed.backups.map((b) => [b.backupName, b.status]).filter(([n]) => n === name || n === next), [[name, 'IN_PROGRESS'], [next, 'SUCCESS']]);
    // The failed backup is deleted like any other (Medusa: only names its own process has seen).
    assert.deepEqual(okResponse(await call('DeleteBackup', { name }), 'DeleteBackup'), { name, status: 'UNKNOWN' });
    assert.ok(!metaExists(name, 'schema.cql'));
    const after = okResponse(await call('GetBackups'), 'GetBackups') as { backups: OperatorSummary[] };
    assert.ok(!after.backups.some((b) => b.backupName === name) && after.backups.some((b) => b.backupName === next), JSON.stringify(after.backups.map((b) => b.backupName)));
  });

  test('SIGTERM mid-backup: exit 0 within the grace period, snapshot cleared, lock released, never complete', async () => {
    const name = `op-term-${tag}`;
    okResponse(await call('AsyncBackup', { name, mode: 'FULL' }), 'AsyncBackup');
    await waitFor(`${name}'s index start entry`, () => indexStarted(name));
    const stopped = await agent!.stop(60_000);
    assert.equal(stopped.code, 0, agent!.log().slice(-3000));
    assert.ok(stopped.ms < 30_000, `stopped in ${stopped.ms} ms: over Kubernetes' default 30 s grace period`);
    assert.match(agent!.log(), new RegExp(`Backup ${name} of .* failed: Backup ${name} stopped: the agent is stopping`));
    assert.deepEqual(locks(), []);
    assert.deepEqual(snapshotDirs(node, `medusa-${name}`), []);
    assert.ok(!metaExists(name, 'manifest.json'));
    await start();
    const status = okResponse(await call('BackupStatus', { backupName: name }), 'BackupStatus') as Record<string, string>;
    assert.equal(status.status, 'FAILED');
  });
});
