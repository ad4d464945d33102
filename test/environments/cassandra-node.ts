/**
 * Test environment `cassandra-node`: one real Cassandra 5.0 node on 127.0.0.1 with free ports
 * (test/harness/single-node.ts), in a fresh temporary folder. Exports MEDUSA_TEST_NODE, the path of
 * the node descriptor (test/harness/node-descriptor.ts). The node runs the Jolokia agent
 * (descriptor `jolokia.url`), so the Kubernetes snapshot routes are tested on this same node rather
 * than on one of their own. Set MEDUSA_TEST_KEEP=1 to keep the folder (logs, data) after the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE_DESCRIPTOR_FILE } from '../harness/node-descriptor.js';
import { startSingleNode, stopSingleNode } from '../harness/single-node.js';
import type { TestEnvironment } from '../run.js';

let root: string | undefined;

const environment: TestEnvironment = {
  name: 'cassandra-node',
  async up() {
    root = mkdtempSync(join(tmpdir(), 'medusa-test-node-'));
    const node = await startSingleNode({ dir: join(root, 'node1'), jolokia: true });
    console.log(`# cassandra-node: Cassandra ${node.cassandraVersion} on ${node.host}:${node.cqlPort} (JMX ${node.jmxPort}, Jolokia ${node.jolokia?.url ?? 'none'}), files in ${node.dir}`);
    return { MEDUSA_TEST_NODE: join(node.dir, NODE_DESCRIPTOR_FILE) };
  },
  async down() {
    if (!root) return;
    const dir = root;
    root = undefined;
    await stopSingleNode(join(dir, 'node1'), 10);
    if (process.env.MEDUSA_TEST_KEEP === '1') console.log(`# cassandra-node: kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  },
};

export default environment;
