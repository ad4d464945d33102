/**
 * One Cassandra node on 127.0.0.1 with free ports, in a folder of its own: the `cassandra-node`
 * test environment and `cli.ts node up/down` are thin wrappers around these two functions.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createNode } from './create-node.js';
import { freePorts } from './free-ports.js';
import { ensureCassandraJars } from './jars.js';
import { ensureJolokiaAgent } from './jolokia.js';
import { findJavaRuntime } from './java-runtime.js';
import { NODE_DESCRIPTOR_FILE, readNodeDescriptor, type NodeDescriptor } from './node-descriptor.js';
import { nodePid, startNode, stopNode, waitNodeReady } from './node-control.js';

/** Options of {@link startSingleNode}; only `dir` is required. */
export interface SingleNodeOptions {
  /** The node's folder; created if missing. */
  dir: string;
  /** Number of data_file_directories (default 1; more means JBOD). */
  dataDirs?: number;
  /** Heap size, `-Xms`/`-Xmx` (default 512M). */
  heap?: string;
  /** num_tokens (default 4; the tokens are deterministic). */
  numTokens?: number;
  clusterName?: string;
  name?: string;
  storageCompatibilityMode?: 'CASSANDRA_4' | 'UPGRADING' | 'NONE';
  /** Attach the Jolokia JVM agent (jolokia.ts) on a free loopback port (descriptor `jolokia.url`). */
  jolokia?: boolean;
}

/**
 * Starts the node in `dir` and resolves with its descriptor once CQL and JMX answer. A folder
 * that already holds a node is restarted as it is (its cassandra.yaml is not rewritten, since
 * Medusa may have edited it); a running node is only waited for. A node that fails to come up
 * is stopped before the error is thrown.
 */
export async function startSingleNode(options: SingleNodeOptions): Promise<NodeDescriptor> {
  const dir = resolve(options.dir);
  const descriptorPath = join(dir, NODE_DESCRIPTOR_FILE);
  let d: NodeDescriptor;
  if (existsSync(descriptorPath)) {
    d = readNodeDescriptor(descriptorPath);
  } else {
    const [jars, java, ports, jolokiaJar] = await Promise.all([
      ensureCassandraJars(), findJavaRuntime(), freePorts(4), options.jolokia ? ensureJolokiaAgent() : undefined,
    ]);
    const [cqlPort, jmxPort, storagePort, jolokiaPort] = ports as [number, number, number, number];
    mkdirSync(dir, { recursive: true });
    d = createNode({
      name: options.name ?? 'node1', dir, clusterName: options.clusterName ?? 'medusa-test',
      dc: 'dc1', rack: 'rack1', host: '127.0.0.1', cqlPort, jmxPort, storagePort, seeds: ['127.0.0.1'],
      index: 0, nodeCount: 1, numTokens: options.numTokens ?? 4, dataDirCount: options.dataDirs ?? 1,
      confDir: join(dir, 'conf'), dataRoot: join(dir, 'data'), heap: options.heap ?? '512M',
      ringDelayMs: 1000, storageCompatibilityMode: options.storageCompatibilityMode ?? 'CASSANDRA_4',
      ...(jolokiaJar ? { jolokia: { jar: jolokiaJar, port: jolokiaPort } } : {}),
    }, jars, java);
  }
  try {
    if (nodePid(d) === undefined) await startNode(d);
    else await waitNodeReady(d);
  } catch (err) {
    await stopNode(d, 5).catch(() => undefined);
    throw err;
  }
  return d;
}

/** Stops the node in `dir` (if any is running) and resolves once its JVM is gone. Keeps its files. */
export async function stopSingleNode(dir: string, graceSeconds = 60): Promise<void> {
  const descriptorPath = join(resolve(dir), NODE_DESCRIPTOR_FILE);
  if (!existsSync(descriptorPath)) return;
  await stopNode(readNodeDescriptor(descriptorPath), graceSeconds);
}
