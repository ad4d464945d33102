/**
 * Test environment `cassandra-cluster`: a real multi-host Cassandra 5.0 cluster
 * (test/harness/cluster.ts): MEDUSA_TEST_CLUSTER_HOSTS hosts (default 2, at most 3), each a network
 * namespace with its own hostname, sshd and node, in a fresh temporary folder. Exports
 * MEDUSA_TEST_CLUSTER, the path of the cluster descriptor (test/harness/cluster-descriptor.ts).
 * Teardown removes every process, namespace and link, also after a failed start. Set
 * MEDUSA_TEST_KEEP=1 to keep the folder (logs, data) after the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLUSTER_DESCRIPTOR_FILE } from '../harness/cluster-descriptor.js';
import { startCluster, stopCluster } from '../harness/cluster.js';
import type { TestEnvironment } from '../run.js';

let root: string | undefined;

const environment: TestEnvironment = {
  name: 'cassandra-cluster',
  async up() {
    root = mkdtempSync(join(tmpdir(), 'medusa-test-cluster-'));
    const hosts = Number(process.env.MEDUSA_TEST_CLUSTER_HOSTS ?? '2');
    const cluster = await startCluster({ dir: root, hosts });
    const list = cluster.hosts.map((h) => `${h.name}=${h.address}`).join(', ');
    console.log(`# cassandra-cluster: ${cluster.hosts.length} hosts (${list}) on ${cluster.bridge}, files in ${root}`);
    return { MEDUSA_TEST_CLUSTER: join(cluster.dir, CLUSTER_DESCRIPTOR_FILE) };
  },
  async down() {
    if (!root) return;
    const dir = root;
    root = undefined;
    await stopCluster(dir);
    if (process.env.MEDUSA_TEST_KEEP === '1') console.log(`# cassandra-cluster: kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  },
};

export default environment;
