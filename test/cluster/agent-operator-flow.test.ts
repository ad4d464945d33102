/**
 * The operator's flow on the multi-host harness cluster (MEDUSA_TEST_CLUSTER), one `medusa
 * grpc-server` per host as the operator runs one sidecar per pod (inside the host's namespaces,
 * its own /etc/medusa/medusa.ini, [grpc] port 50051, its cache folder on the host's
 * /var/lib/cassandra), called through the reference's own Python stubs from the root namespace:
 * AsyncBackup to each host in turn, BackupStatus polled on each until SUCCESS, GetBackups read as
 * the operator reads it (the same whole-cluster answer from every host), PrepareRestore (the
 * mapping file on each host), PurgeBackups on each host, then the backup restored in place
 * (restore-cluster) and the rows counted.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { clusterNodes } from '../harness/cluster-descriptor.js';
import { countRows, createKeyspace, createTable, flush, writeRows } from '../harness/cql-helpers.js';
import { nodeCommand, waitNodeReady } from '../harness/node-control.js';
import { testCluster } from '../harness/test-env.js';
import { startOurAgent, type AgentProcess } from '../support/agent-servers.js';
import { scratchDir } from '../support/cli.js';
import { ReferenceGrpcClient, okResponse } from '../support/medusa-grpc-client.js';
import { pollBackupStatus, type OperatorSummary } from '../support/operator-flow.js';
import { medusa, setUpMedusa, withClusterCql, type MedusaClusterSetup } from './cluster-support.js';

const KS = 'agent_flow';
const JOB = 'medusa-backup-job-1';
const RESTORE_KEY = '3c1e2f0a-agent-flow';
let setup: MedusaClusterSetup;
let scratch: ReturnType<typeof scratchDir>;
let client: ReferenceGrpcClient;
const agents: AgentProcess[] = [];

before(async () => {
  const cluster = testCluster();
  for (const node of clusterNodes(cluster)) await waitNodeReady(node);
  scratch = scratchDir('medusa-cluster-agent-');
  setup = setUpMedusa(cluster, join(scratch.dir, 'work'), join(scratch.dir, 'storage'), 'bucket');
  client = ReferenceGrpcClient.start();
  const nodes = clusterNodes(cluster);
  for (const [i, h] of cluster.hosts.entries()) {
    // Inside the host: its own /etc/medusa/medusa.ini (default [grpc] port 50051) and /var/lib/cassandra.
    agents.push(
      await startOurAgent('/etc/medusa/medusa.ini', {
        host: h.address,
        port: 50051,
        client,
        wrap: (argv) => nodeCommand(nodes[i]!, argv),
        env: { MEDUSA_CACHE_DIR: '/var/lib/cassandra/medusa-cache' },
      }),
    );
  }
});

after(async () => {
  for (const a of agents) await a.kill9();
  await client?.close();
  await withClusterCql(setup.cluster, (c) => c.execute(`DROP KEYSPACE IF EXISTS ${KS}`)).catch(() => undefined);
  if (process.env.MEDUSA_TEST_KEEP !== '1') scratch.cleanup();
});

test('AsyncBackup to each host in turn, BackupStatus until SUCCESS, GetBackups as the operator reads it', async () => {
  const hosts = setup.cluster.hosts;
  await withClusterCql(setup.cluster, async (c) => {
    await createKeyspace(c, KS, { dc1: Math.min(2, hosts.length) });
    await createTable(c, KS, 'items');
    await writeRows(c, KS, 'items', 300);
  });
  for (const node of clusterNodes(setup.cluster)) await flush(node, KS);

  for (const a of agents) assert.deepEqual(okResponse(await client.call(a.target, 'AsyncBackup', { name: JOB, mode: 'FULL' }), `AsyncBackup ${a.target}`), { backupName: JOB, status: 'IN_PROGRESS' });
  for (const a of agents) assert.equal((await pollBackupStatus(client, a.target, JOB)).at(-1), 'SUCCESS', a.log().slice(-3000));

  const nodes = clusterNodes(setup.cluster);
  let totalSize = 0;
  let totalObjects = 0;
  for (const h of hosts) {
    const manifest = JSON.parse(readFileSync(join(scratch.dir, 'storage', 'bucket', h.address, JOB, 'meta', 'manifest.json'), 'utf8')) as Array<{ objects: Array<{ size: number }> }>;
    for (const o of manifest.flatMap((s) => s.objects)) {
      totalSize += o.size;
      totalObjects++;
    }
  }
  const answers: Array<{ backups: OperatorSummary[]; overallStatus: string }> = [];
  for (const a of agents) answers.push(okResponse(await client.call(a.target, 'GetBackups'), `GetBackups ${a.target}`) as { backups: OperatorSummary[]; overallStatus: string });
  for (const answer of answers.slice(1)) assert.deepEqual(answer, answers[0], 'every host answers for the whole cluster');
  const summary = answers[0]!.backups.find((b) => b.backupName === JOB);
  assert.ok(summary, JSON.stringify(answers[0]));
  assert.deepEqual(
    { totalNodes: summary.totalNodes, finishedNodes: summary.finishedNodes, status: summary.status, backupType: summary.backupType, totalSize: summary.totalSize, totalObjects: summary.totalObjects },
    { totalNodes: hosts.length, finishedNodes: hosts.length, status: 'SUCCESS', backupType: 'full', totalSize: String(totalSize), totalObjects: String(totalObjects) },
  );
  const byHost = (x: { host: string }, y: { host: string }): number => (x.host < y.host ? -1 : 1);
  // Tokens in the tokenmap's order (Medusa writes them sorted as strings): compared as sets.
  assert.deepEqual(
    summary.nodes.map((n) => ({ ...n, tokens: [...n.tokens].sort() })).sort(byHost),
    hosts.map((h, i) => ({ host: h.address, tokens: [...nodes[i]!.tokens].sort(), datacenter: nodes[i]!.dc, rack: nodes[i]!.rack })).sort(byHost),
  );
});

test('PrepareRestore writes the in-place mapping on each host; PurgeBackups answers the four counters', async () => {
  for (const [i, a] of agents.entries()) {
    assert.deepEqual(okResponse(await client.call(a.target, 'PrepareRestore', { backupName: JOB, datacenter: 'dc1', restoreKey: RESTORE_KEY }), 'PrepareRestore'), {});
    const file = join(setup.cluster.hosts[i]!.rootDirs.varLibCassandra, '.restore_mapping', RESTORE_KEY);
    const mapping = JSON.parse(readFileSync(file, 'utf8')) as { in_place: boolean; host_map: Record<string, { source: string[]; seed: boolean }> };
    assert.equal(mapping.in_place, true);
    assert.deepEqual(Object.keys(mapping.host_map).sort(), setup.cluster.hosts.map((h) => h.address).sort());
    for (const [target, entry] of Object.entries(mapping.host_map)) assert.deepEqual(entry.source, [target]);
    assert.ok(Object.values(mapping.host_map).some((e) => e.seed), 'the seed is marked');
  }
  for (const a of agents) {
    // The hosts' ini keeps every backup (no max_backup_age/count): nothing to purge, the counters say so.
    assert.deepEqual(okResponse(await client.call(a.target, 'PurgeBackups'), 'PurgeBackups'), { nbBackupsPurged: 0, nbObjectsPurged: 0, totalPurgedSize: '0', totalObjectsWithinGcGrace: 0 });
  }
});

test('the backup the agents took restores in place: the rows are back', async () => {
  await withClusterCql(setup.cluster, (c) => writeRows(c, KS, 'items', 200, 300));
  assert.equal(await withClusterCql(setup.cluster, (c) => countRows(c, KS, 'items')), 500);
  const restore = await medusa(setup, ['restore-cluster', `--backup-name=${JOB}`, `--seed-target=${setup.cluster.hosts[0]!.address}`, `--temp-dir=${setup.tempDir}`, '-y'], { timeoutMs: 1_200_000 });
  assert.equal(restore.status, 0, `restore-cluster failed:\n${restore.stdout}\n${restore.stderr}`);
  assert.equal(await withClusterCql(setup.cluster, (c) => countRows(c, KS, 'items')), 300);
  for (const a of agents) assert.deepEqual(await client.health(a.target), { ok: true, status: 'SERVING' });
  for (const a of agents) assert.equal((await a.stop()).code, 0, a.log().slice(-2000));
});
