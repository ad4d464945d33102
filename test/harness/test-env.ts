/**
 * How tests find the harness's servers: the environments export descriptor paths in
 * MEDUSA_TEST_NODE and MEDUSA_TEST_CLUSTER. A missing variable is an error, never a skip, so a
 * suite run without its environment fails loudly.
 */
import { readClusterDescriptor, type ClusterDescriptor } from './cluster-descriptor.js';
import { readNodeDescriptor, type NodeDescriptor } from './node-descriptor.js';

function required(name: string, environment: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run this suite through \`node --import tsx test/run.ts <group>\`, ` +
      `whose group must list the ${environment} environment`);
  }
  return value;
}

/** The single node of the `cassandra-node` environment. */
export function testNode(): NodeDescriptor {
  return readNodeDescriptor(required('MEDUSA_TEST_NODE', 'cassandra-node'));
}

/** The cluster of the `cassandra-cluster` environment. */
export function testCluster(): ClusterDescriptor {
  return readClusterDescriptor(required('MEDUSA_TEST_CLUSTER', 'cassandra-cluster'));
}
