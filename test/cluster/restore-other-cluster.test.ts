/**
 * restore-cluster onto another cluster: a target cluster with one host fewer than the source
 * (1 host in CI where the source has 2; 2 hosts locally with a 3-host source) is started once for
 * this file. The backup of the source (MEDUSA_TEST_CLUSTER) is restored onto it
 * 1. through --seed-target: the sizes differ, so sstableloader mode, schema recreated first;
 * 2. through --host-list (copy mode, remote) after the target table was emptied.
 * Every row of the backup must be there after each.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { types, type Client } from 'cassandra-driver';
import { clusterNodes, type ClusterDescriptor } from '../harness/cluster-descriptor.js';
import { startCluster, stopCluster } from '../harness/cluster.js';
import { createKeyspace, createTable, flush, writeRows } from '../harness/cql-helpers.js';
import { waitNodeReady } from '../harness/node-control.js';
import { testCluster } from '../harness/test-env.js';
import { scratchDir } from '../support/cli.js';
import { medusa, setUpMedusa, withClusterCql, type MedusaClusterSetup } from './cluster-support.js';

const KS = 'i8_other';
const ROWS = 400;
let source: MedusaClusterSetup;
let target: MedusaClusterSetup;
let targetCluster: ClusterDescriptor | undefined;
let scratch: ReturnType<typeof scratchDir>;

before(async () => {
  const cluster = testCluster();
  for (const node of clusterNodes(cluster)) await waitNodeReady(node);
  scratch = scratchDir('medusa-cluster-other-');
  const storage = join(scratch.dir, 'storage');
  source = setUpMedusa(cluster, join(scratch.dir, 'source'), storage, 'bucket');
  targetCluster = await startCluster({ dir: join(scratch.dir, 'target-cluster'), hosts: Math.max(1, cluster.hosts.length - 1) });
  target = setUpMedusa(targetCluster, join(scratch.dir, 'target'), storage, 'bucket');

  await withClusterCql(cluster, async (c) => {
    await createKeyspace(c, KS, { dc1: Math.min(2, cluster.hosts.length) });
    await createTable(c, KS, 'items');
    await writeRows(c, KS, 'items', ROWS);
  });
  for (const node of clusterNodes(cluster)) await flush(node, KS);
  const b = await medusa(source, ['backup-cluster', '--backup-name=bo', `--seed-target=${cluster.hosts[0]!.address}`, `--temp-dir=${source.tempDir}`, '-pu', '2']);
  assert.equal(b.status, 0, `backup-cluster failed:\n${b.stderr}`);
});

after(async () => {
  if (source) await withClusterCql(source.cluster, (c) => c.execute(`DROP KEYSPACE IF EXISTS ${KS}`)).catch(() => undefined);
  if (targetCluster) await stopCluster(targetCluster.dir);
  if (process.env.MEDUSA_TEST_KEEP !== '1') scratch.cleanup();
});

/** Rows on the target, read so that every replica is asked when there are several nodes. */
function countOnTarget(): Promise<number> {
  const consistency = target.cluster.hosts.length > 1 ? types.consistencies.all : types.consistencies.one;
  return withClusterCql(target.cluster, async (c: Client) => {
    const r = await c.execute(`SELECT COUNT(*) AS n FROM ${KS}.items`, [], { consistency });
    return Number(r.first().get('n'));
  });
}

test('a target of another size: sstableloader mode, schema recreated on the seed, every row present', async () => {
  const r = await medusa(target, ['restore-cluster', '--backup-name=bo', `--seed-target=${target.cluster.hosts[0]!.address}`, `--temp-dir=${target.tempDir}`, `--keyspace=${KS}`, '-y'], { timeoutMs: 1_200_000 });
  assert.equal(r.status, 0, `restore-cluster failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /Restore mode: sstableloader \(the backup has \d nodes, the target \d\), remote/);
  assert.equal(await countOnTarget(), ROWS);
});

test('a host list: copy mode, remote, the emptied table is back', async () => {
  await withClusterCql(target.cluster, (c) => c.execute(`TRUNCATE ${KS}.items`, [], { consistency: types.consistencies.all }));
  assert.equal(await countOnTarget(), 0);
  const lines = ['# is_seed,target,source', ...target.cluster.hosts.map((h, i) => `${i === 0 ? 'True' : 'False'},${h.address},${source.cluster.hosts[i]!.address}`), ''];
  const hostList = join(scratch.dir, 'hosts.csv');
  writeFileSync(hostList, lines.join('\n'));
  const r = await medusa(target, ['restore-cluster', '--backup-name=bo', `--host-list=${hostList}`, `--temp-dir=${target.tempDir}`, '--overwrite-auth', '-y'], { timeoutMs: 1_200_000 });
  assert.equal(r.status, 0, `restore-cluster failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /Restore mode: copy, remote/);
  assert.equal(await countOnTarget(), ROWS);
});
