/**
 * The restore init container killed half-way on the 2-host cluster harness, as a pod's init
 * container dies when its node is drained or it runs out of memory: hosts play pods
 * (k8s-support.ts), the bucket is a real object store (azurite, listening on the cluster bridge's
 * gateway so every host reaches it) whose downloads `transfer_max_bandwidth` can slow down, which
 * local storage's cannot. Driven as the operator drives it: RESTORE_MAPPING built from the nodes
 * GetBackups gives through the first pod's side-car, Cassandra stopped on every pod,
 * `k8s/entrypoint.sh` with MEDUSA_MODE=RESTORE on each. The first pod's init container is killed
 * (SIGKILL) once some files are staged; Kubernetes restarts it with the same environment: it keeps
 * the files already downloaded and checked, finishes, records the key; the other pod restores;
 * Cassandra starts; the rows are the backup's.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { types } from 'cassandra-driver';
import { startAzurite, type AzuriteServer } from '../environments/object-stores/azurite.js';
import { clusterNodes, type ClusterDescriptor } from '../harness/cluster-descriptor.js';
import { withCql } from '../harness/cql-client.js';
import { startNode, stopNode, waitNodeReady } from '../harness/node-control.js';
import { rootViewPath, type NodeDescriptor } from '../harness/node-descriptor.js';
import { testCluster } from '../harness/test-env.js';
import { ReferenceGrpcClient } from '../support/medusa-grpc-client.js';
import { azureKeyFile } from '../support/object-store-env.js';
import { backupNodesFromSidecar, countItems, fillAndBackUp, lastRestore, startPods, operatorRestoreMapping, podsByRack, runInitContainer, startInitContainer, startSidecar, writePodConfigs } from './k8s-support.js';

const KS = 'k8s_resume';
// ~8 MB of SSTables on each pod (replication 2 on 2 pods): at 2 MB/s a pod's download takes
// seconds, time enough to stop it once a few files are in.
const ROWS = 480;
const BACKUP = 'k8sresume1';
const CONTAINER = 'medusa';
let cluster: ClusterDescriptor;
let azurite: AzuriteServer | undefined;
let client: ReferenceGrpcClient | undefined;
/** The init container started in the background, killed in `after` if a failure left it running. */
let running: { pid: number; done: Promise<unknown> } | undefined;

const countRows = (): Promise<number> => countItems(cluster, KS);

/**
 * The pod's staging folder as seen from here: beside its data directory when on the same file
 * system (the usual case), else inside it (ops/restore-staging.ts).
 */
function stagingDirs(node: NodeDescriptor): string[] {
  const dataDir = node.dataDirs[0]!;
  const name = `.medusa-restore-${node.name}-${BACKUP}`;
  return [join(dirname(dataDir), name), join(dataDir, name)].map((p) => rootViewPath(node, p));
}

/** Files fully staged (checked and renamed into place) for this pod. */
function staged(node: NodeDescriptor): number {
  let n = 0;
  for (const dir of stagingDirs(node)) {
    if (!existsSync(dir)) continue;
    n += readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.name.startsWith('.medusa-tmp-')).length;
  }
  return n;
}

before(async () => {
  cluster = testCluster();
  for (const node of clusterNodes(cluster)) await waitNodeReady(node);
  azurite = await startAzurite(cluster.gateway);
  await azurite.createContainer(CONTAINER);
  const storage = [
    'storage_provider = azure_blobs', `bucket_name = ${CONTAINER}`, `host = ${azurite.host}`, `port = ${azurite.port}`,
    'secure = False', `key_file = ${azureKeyFile(azurite.account, azurite.key)}`,
  ];
  writePodConfigs(cluster, storage, ['transfer_max_bandwidth = 2MB/s']);
  await fillAndBackUp(cluster, { keyspace: KS, rows: ROWS, payloadBytes: 8192, backup: BACKUP });
});

after(async () => {
  if (running) {
    try {
      process.kill(running.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await running.done;
  }
  // The cluster is the run's shared one: whatever happened here, the next file finds it serving.
  for (const node of clusterNodes(cluster)) await startNode(node).catch(() => undefined);
  await withCql(clusterNodes(cluster), (c) => c.execute(`DROP KEYSPACE IF EXISTS ${KS}`)).catch(() => undefined);
  await client?.close();
  await azurite?.stop();
});

test('an init container killed half-way is restarted: it keeps what it had, finishes, and the rows are the backup\'s', async () => {
  const nodes = clusterNodes(cluster);
  const [first, ...others] = nodes;
  // The operator's reading: GetBackups on the first pod's side-car, stopped with the datacenter.
  client = ReferenceGrpcClient.start();
  const sidecar = await startSidecar(cluster, first!, client);
  const backupNodes = await backupNodesFromSidecar(client, sidecar, BACKUP);
  assert.equal((await sidecar.stop()).code, 0, sidecar.log().slice(-3000));
  const mapping = operatorRestoreMapping(backupNodes, 'dc1', podsByRack(cluster));
  assert.equal((JSON.parse(mapping) as { in_place: boolean }).in_place, true, mapping);
  await withCql(nodes, (c) => c.execute(`INSERT INTO ${KS}.items (id, payload) VALUES (100000, 'after the backup')`, [], { consistency: types.consistencies.all }));
  assert.equal(await countRows(), ROWS + 1);
  const key = randomUUID();
  const env = (node: NodeDescriptor): Record<string, string> => ({ BACKUP_NAME: BACKUP, RESTORE_KEY: key, RESTORE_MAPPING: mapping, POD_NAME: node.name });
  // The cluster is the run's shared one: an earlier file's init containers left their keys.
  const keyBefore = lastRestore(first!);
  for (const node of nodes) await stopNode(node);

  const init = startInitContainer(first!, env(first!));
  running = init;
  let killedAt = 0;
  const deadline = Date.now() + 300_000;
  while (killedAt === 0) {
    const ended = await Promise.race([init.done.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 50))]);
    if (ended) assert.fail(`the init container ended before it could be stopped half-way:\n${(await init.done).stderr}`);
    if (staged(first!) >= 3) {
      killedAt = staged(first!);
      process.kill(init.pid, 'SIGKILL');
    }
    assert.ok(Date.now() < deadline, `no file was staged on ${first!.name} within 5 minutes`);
  }
  const killed = await init.done;
  assert.equal(killed.signal, 'SIGKILL', killed.stderr);
  assert.equal(lastRestore(first!), keyBefore, `a killed init container records no key:\n${killed.stderr}`);

  const again = await runInitContainer(first!, env(first!));
  assert.equal(again.code, 0, `restarted init container of ${first!.name}:\n${again.stderr}`);
  const kept = /Downloaded \d+ files \(\d+ bytes\); (\d+) files \(\d+ bytes\) were already there/.exec(again.stderr);
  assert.ok(kept && Number(kept[1]) >= killedAt, `the restarted container kept the ${killedAt} files the killed one had checked:\n${again.stderr}`);
  assert.equal(lastRestore(first!), `${key}\n`);
  assert.ok(stagingDirs(first!).every((d) => !existsSync(d)), `the staging folder is removed after the restore (${stagingDirs(first!).map((d) => basename(d)).join(', ')})`);

  for (const node of others) {
    const r = await runInitContainer(node, env(node));
    assert.equal(r.code, 0, `init container of ${node.name}:\n${r.stderr}`);
    assert.equal(lastRestore(node), `${key}\n`);
  }
  await startPods(cluster);
  assert.equal(await countRows(), ROWS);
});
