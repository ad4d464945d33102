/**
 * The Kubernetes restore init container end to end, driven as k8ssandra-operator's MedusaRestoreJob
 * drives it, on harness hosts playing pods (k8s-support.ts): the backup's nodes as GetBackups
 * reports them through the first pod's side-car (the entrypoint in MEDUSA_MODE=GRPC), RESTORE_MAPPING built from them the operator's way, Cassandra stopped on every pod,
 * `k8s/entrypoint.sh` run with MEDUSA_MODE=RESTORE, POD_NAME, BACKUP_NAME and RESTORE_KEY on each,
 * Cassandra started, rows counted.
 * 1. In place on the backed-up cluster (MEDUSA_TEST_CLUSTER).
 * 2. Bad input on a live pod: one line, non-zero exit, rows and `.last-restore` unchanged.
 * 3. Onto a second cluster whose pods have other names (remote: the sources' tokens pinned).
 * The bucket is local storage (a folder every host sees), whose transfers are not throttled, so
 * the init container killed half-way is tested on the single node with an object store
 * (test/k8s/init-restore-resume.test.ts). Init flow times are printed for the record.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { types } from 'cassandra-driver';
import { clusterNodes, type ClusterDescriptor } from '../harness/cluster-descriptor.js';
import { startCluster, stopCluster } from '../harness/cluster.js';
import { withCql } from '../harness/cql-client.js';
import { startNode, stopNode, waitNodeReady } from '../harness/node-control.js';
import { rootViewPath, type NodeDescriptor } from '../harness/node-descriptor.js';
import { testCluster } from '../harness/test-env.js';
import { scratchDir } from '../support/cli.js';
import { ReferenceGrpcClient } from '../support/medusa-grpc-client.js';
import { backupNodesFromSidecar, countItems, fillAndBackUp, lastRestore, startPods, localStorageLines, operatorRestoreMapping, podsByRack, runInitContainer, startSidecar, writePodConfigs, type BackupNode } from './k8s-support.js';

const KS = 'k8s_init';
const ROWS = 240;
const BACKUP = 'k8s1';
const BUCKET = 'bucket';
let source: ClusterDescriptor;
let target: ClusterDescriptor | undefined;
let scratch: ReturnType<typeof scratchDir>;
let storageDir: string;
let client: ReferenceGrpcClient;

const countRows = (cluster: ClusterDescriptor): Promise<number> => countItems(cluster, KS);

/**
 * The backup's nodes as the operator reads them before a restore: GetBackups on the first pod's
 * side-car (the entrypoint in MEDUSA_MODE=GRPC), which is then stopped, as the operator's stop of
 * the datacenter stops it.
 */
async function backupNodes(cluster: ClusterDescriptor, name: string): Promise<BackupNode[]> {
  const sidecar = await startSidecar(cluster, clusterNodes(cluster)[0]!, client);
  try {
    return await backupNodesFromSidecar(client, sidecar, name);
  } finally {
    const stopped = await sidecar.stop();
    assert.equal(stopped.code, 0, sidecar.log().slice(-3000));
  }
}

async function stopAll(cluster: ClusterDescriptor): Promise<void> {
  for (const node of clusterNodes(cluster)) await stopNode(node);
}
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

before(async () => {
  source = testCluster();
  for (const node of clusterNodes(source)) await waitNodeReady(node);
  scratch = scratchDir('medusa-k8s-init-');
  client = ReferenceGrpcClient.start();
  storageDir = join(scratch.dir, 'storage');
  writePodConfigs(source, localStorageLines(storageDir, BUCKET));
  await fillAndBackUp(source, { keyspace: KS, rows: ROWS, payloadBytes: 512, backup: BACKUP });
});

after(async () => {
  await client?.close();
  if (target) await stopCluster(target.dir).catch(() => undefined);
  if (source) {
    for (const node of clusterNodes(source)) await startNode(node).catch(() => undefined);
    await withCql(clusterNodes(source), (c) => c.execute(`DROP KEYSPACE IF EXISTS ${KS}`)).catch(() => undefined);
  }
  if (process.env['MEDUSA_TEST_KEEP'] !== '1') scratch?.cleanup();
});

describe('the restore init container, driven as the operator drives it', () => {
  test('in place: every pod restores its own backup; the rows are those of the backup', async () => {
    const nodes = await backupNodes(source, BACKUP);
    assert.deepEqual(nodes.map((n) => n.host).sort(), source.hosts.map((h) => h.name).sort(), 'backups name hosts by their names, as pods');
    const mapping = operatorRestoreMapping(nodes, 'dc1', podsByRack(source));
    assert.equal((JSON.parse(mapping) as { in_place: boolean }).in_place, true);
    // Rows written after the backup must be gone after the restore.
    await withCql(clusterNodes(source), (c) => c.execute(`INSERT INTO ${KS}.items (id, payload) VALUES (100000, 'after the backup')`, [], { consistency: types.consistencies.all }));
    assert.equal(await countRows(source), ROWS + 1);
    const key = randomUUID();
    const env = (node: NodeDescriptor): Record<string, string> => ({ BACKUP_NAME: BACKUP, RESTORE_KEY: key, RESTORE_MAPPING: mapping, POD_NAME: node.name });
    const [first] = clusterNodes(source);

    const t0 = Date.now();
    await stopAll(source);
    const initStarted = Date.now();
    for (const node of clusterNodes(source)) {
      const r = await runInitContainer(node, env(node));
      assert.equal(r.code, 0, `init container of ${node.name}:\n${r.stdout}${r.stderr}`);
      assert.match(r.stderr, new RegExp(`Restoring backup k8s1 of ${node.name} in place`));
      assert.equal(lastRestore(node), `${key}\n`);
    }
    const initDone = Date.now();
    await startPods(source);
    const started = Date.now();
    assert.equal(await countRows(source), ROWS);
    console.log(`# init flow in place (2 pods): stop ${seconds(initStarted - t0)}, init containers ${seconds(initDone - initStarted)}, start ${seconds(started - initDone)}, total ${seconds(started - t0)}`);

    // A pod restarting later finds the key and does nothing.
    const again = await runInitContainer(first!, env(first!));
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, new RegExp(`Nothing to restore: restore ${key} was already done`));
  });

  test('bad input on a live pod: one line, non-zero exit, rows and .last-restore unchanged', async () => {
    const node = clusterNodes(source)[0]!;
    const before = lastRestore(node);
    const cases: Array<[Record<string, string>, number, RegExp]> = [
      [{ RESTORE_MAPPING: '{"in_place": false, "host_map": {"node1": {"source": "node2"}}}' }, 2, /^ERROR: RESTORE_MAPPING: host_map\.node1\.source must be a non-empty list of host names$/],
      [{ BACKUP_NAME: 'no-such-backup' }, 1, /^ERROR: BACKUP_NAME no-such-backup: no such backup in the bucket$/],
      [{ RESTORE_MAPPING: JSON.stringify({ in_place: false, host_map: { [node.name]: { source: ['node9'], seed: false } } }) }, 1, /^ERROR: backup k8s1 has no node node9 \(the source RESTORE_MAPPING names for pod node1\); its nodes: node1, node2$/],
      [{}, 1, /^ERROR: Cassandra is running \(\S+ answers\): the Kubernetes restore replaces its files, so it runs only before Cassandra starts \(the init container\)$/],
    ];
    for (const [env, code, line] of cases) {
      const r = await runInitContainer(node, { BACKUP_NAME: BACKUP, RESTORE_KEY: randomUUID(), POD_NAME: node.name, ...env });
      assert.equal(r.code, code, r.stderr);
      const errors = r.stderr.split('\n').filter((l) => /\bERROR: /.test(l)).map((l) => l.replace(/^\[[^\]]+\] /, ''));
      assert.equal(errors.length, 1, r.stderr);
      assert.match(errors[0]!, line);
    }
    assert.equal(lastRestore(node), before);
    assert.equal(await countRows(source), ROWS);
  });

  test('onto a second cluster with other pod names: remote, the sources\' tokens pinned, every row there', async () => {
    target = await startCluster({ dir: join(scratch.dir, 'target'), hosts: source.hosts.length, hostNamePrefix: 'pod', clusterName: 'medusa-k8s-target' });
    writePodConfigs(target, localStorageLines(storageDir, BUCKET));
    const mapping = operatorRestoreMapping(await backupNodes(target, BACKUP), 'dc1', podsByRack(target));
    const parsed = JSON.parse(mapping) as { in_place: boolean; host_map: Record<string, { source: string[] }> };
    assert.equal(parsed.in_place, false);
    assert.deepEqual(Object.fromEntries(Object.entries(parsed.host_map).map(([pod, e]) => [pod, e.source[0]])), { pod1: 'node1', pod2: 'node2' });
    const key = randomUUID();
    const t0 = Date.now();
    await stopAll(target);
    for (const node of clusterNodes(target)) {
      const r = await runInitContainer(node, { BACKUP_NAME: BACKUP, RESTORE_KEY: key, RESTORE_MAPPING: mapping, POD_NAME: node.name });
      assert.equal(r.code, 0, `init container of ${node.name}:\n${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /onto this node \(remote: its tokens pinned, system_auth kept\)/);
      const sourceNode = clusterNodes(source).find((n) => n.name === parsed.host_map[node.name]!.source[0])!;
      const yaml = readFileSync(rootViewPath(node, '/etc/cassandra/cassandra.yaml'), 'utf8');
      const pinned = /^initial_token: (.+)$/m.exec(yaml)?.[1]?.split(',').sort();
      assert.deepEqual(pinned, [...sourceNode.tokens].sort(), `${node.name} carries ${sourceNode.name}'s tokens`);
      assert.match(yaml, /^auto_bootstrap: false$/m);
    }
    await startPods(target);
    console.log(`# init flow remote (2 pods): stop, restore and start ${seconds(Date.now() - t0)}`);
    assert.equal(await countRows(target), ROWS);
  });
});
