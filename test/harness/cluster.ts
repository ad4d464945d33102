/**
 * A multi-host Cassandra cluster on one machine: 2-3 hosts, each a network namespace on a private
 * bridge with its own hostname, sshd, /var/lib/cassandra, /etc/cassandra, /etc/medusa and
 * Cassandra node; together one cluster (GossipingPropertyFileSnitch, dc1, one rack per host).
 * The `cassandra-cluster` test environment and `cli.ts cluster up/down` wrap these functions.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  CLUSTER_DESCRIPTOR_FILE, readClusterDescriptor, writeClusterDescriptor, type ClusterDescriptor, type ClusterHost,
} from './cluster-descriptor.js';
import { ClusterJournal, hasClusterResources, teardownCluster } from './cluster-teardown.js';
import { createNode } from './create-node.js';
import { ensureTools, HARNESS_TOOLS } from './debian-packages.js';
import { ensureCassandraJars } from './jars.js';
import { findJavaRuntime } from './java-runtime.js';
import { createBridge, createHostNetwork } from './netns.js';
import { NODE_DESCRIPTOR_FILE, readNodeDescriptor, type BindMount, type NodeDescriptor } from './node-descriptor.js';
import { nodePid, startNode } from './node-control.js';
import { isProcessAlive, readPidFile } from './processes.js';
import { tcpAnswers, waitFor } from './probes.js';
import { createClientKeys, createHostKey, launchHostSshd, renderSshdConfig } from './ssh-host.js';
import { sshOk } from './ssh-exec.js';

/** Options of {@link startCluster}; only `dir` is required. */
export interface ClusterOptions {
  /** The cluster's folder (state, keys, every host's files); created if missing. */
  dir: string;
  /** Number of hosts, 1-3 (default 2). */
  hosts?: number;
  /** How many of the first hosts are seeds (default 1). */
  seeds?: number;
  /** Heap per node (default 512M). */
  heap?: string;
  numTokens?: number;
  /** data_file_directories per node (default 1). */
  dataDirs?: number;
  clusterName?: string;
  /** Host names are `<prefix><i>` (default `node`): a second cluster can have other names. */
  hostNamePrefix?: string;
}

const DC = 'dc1';

function hostMounts(hostDir: string): BindMount[] {
  return [
    { hostPath: '/var/lib/cassandra', rootPath: join(hostDir, 'var-lib-cassandra') },
    { hostPath: '/etc/cassandra', rootPath: join(hostDir, 'etc-cassandra') },
    { hostPath: '/etc/medusa', rootPath: join(hostDir, 'etc-medusa') },
  ];
}

function clusterAlive(cluster: ClusterDescriptor): boolean {
  return cluster.hosts.every((h) => {
    const pid = readPidFile(h.sshdPidFile);
    return pid !== undefined && isProcessAlive(pid) && nodePid(readNodeDescriptor(h.nodeDescriptor)) !== undefined;
  });
}

/**
 * Builds and starts the cluster and resolves with its descriptor (also written to
 * `<dir>/cluster.json`) once every node answers CQL and JMX and every host answers `hostname` over
 * SSH. A cluster already running in `dir` is returned as it is; leftovers of a dead one are torn
 * down first. On any failure everything created so far is torn down before the error is thrown.
 */
export async function startCluster(options: ClusterOptions): Promise<ClusterDescriptor> {
  const dir = resolve(options.dir);
  const descriptorPath = join(dir, CLUSTER_DESCRIPTOR_FILE);
  if (existsSync(descriptorPath)) {
    const existing = readClusterDescriptor(descriptorPath);
    if (clusterAlive(existing)) return existing;
  }
  if (hasClusterResources(dir)) await teardownCluster(dir);
  const hostCount = options.hosts ?? 2;
  if (!Number.isInteger(hostCount) || hostCount < 1 || hostCount > 3) throw new RangeError(`hosts must be 1-3, got ${hostCount}`);
  mkdirSync(dir, { recursive: true });
  const tools = await ensureTools([HARNESS_TOOLS.sshd, HARNESS_TOOLS.ssh, HARNESS_TOOLS.sshKeygen,
    HARNESS_TOOLS.ip, HARNESS_TOOLS.unshare, HARNESS_TOOLS.nsenter]);
  const [jars, java] = await Promise.all([ensureCassandraJars(), findJavaRuntime()]);
  const journal = new ClusterJournal(dir);
  try {
    return await buildCluster(dir, hostCount, options, tools, jars, java, journal);
  } catch (err) {
    await teardownCluster(dir).catch((cleanupErr: unknown) => {
      console.error(`cluster ${dir}: cleanup after failed start also failed: ${String(cleanupErr)}`);
    });
    throw err;
  }
}

async function buildCluster(
  dir: string, hostCount: number, options: ClusterOptions, tools: Map<string, string>,
  jars: Awaited<ReturnType<typeof ensureCassandraJars>>, java: Awaited<ReturnType<typeof findJavaRuntime>>,
  journal: ClusterJournal,
): Promise<ClusterDescriptor> {
  const tool = (name: string): string => tools.get(name) ?? name;
  const slot = await createBridge((s) => journal.note((r) => (r.bridge = s.bridge)));
  const keys = await createClientKeys(tool('ssh-keygen'), join(dir, 'ssh'));
  const clusterName = options.clusterName ?? 'medusa-test-cluster';

  const hosts: (ClusterHost & { hostKey: string; hostDir: string })[] = [];
  for (let i = 0; i < hostCount; i++) {
    const name = `${options.hostNamePrefix ?? 'node'}${i + 1}`;
    const hostDir = join(dir, 'hosts', name);
    mkdirSync(join(hostDir, 'ssh'), { recursive: true, mode: 0o700 });
    const net = await createHostNetwork(slot, i, (kind, n) => journal.note((r) => {
      if (kind === 'netns') r.netns.push(n);
      else r.veths.push(n);
    }));
    const hostKey = await createHostKey(tool('ssh-keygen'), join(hostDir, 'ssh', 'ssh_host_ed25519_key'));
    const [varLib, etcCassandra, etcMedusa] = hostMounts(hostDir).map((m) => m.rootPath) as [string, string, string];
    hosts.push({
      name, address: net.address, netns: net.netns, veth: net.veth, hostKey, hostDir,
      sshdPidFile: join(hostDir, 'sshd.pid'), nodeDescriptor: join(hostDir, 'node', NODE_DESCRIPTOR_FILE),
      rootDirs: { varLibCassandra: varLib, etcCassandra, etcMedusa },
    });
  }
  writeFileSync(keys.knownHostsPath, hosts.map((h) => `${h.name},${h.address} ${h.hostKey}\n`).join(''));
  const hostsFile = ['127.0.0.1\tlocalhost', ...hosts.map((h) => `${h.address}\t${h.name}`), ''].join('\n');

  for (const h of hosts) {
    const sshdConfig = join(h.hostDir, 'ssh', 'sshd_config');
    writeFileSync(sshdConfig, renderSshdConfig({
      address: h.address, hostKeyPath: join(h.hostDir, 'ssh', 'ssh_host_ed25519_key'), authorizedKeysPath: keys.authorizedKeysPath,
    }));
    writeFileSync(join(h.hostDir, 'hosts'), hostsFile);
    journal.note((r) => r.sshd.push({ pidFile: h.sshdPidFile, config: sshdConfig }));
    await launchHostSshd({
      netns: h.netns, hostname: h.name, mounts: hostMounts(h.hostDir), hostsFile: join(h.hostDir, 'hosts'),
      sshdPath: tool('sshd'), sshdConfig, logFile: join(h.hostDir, 'sshd.log'), pidFile: h.sshdPidFile,
    });
  }

  const seedCount = Math.min(Math.max(options.seeds ?? 1, 1), hostCount);
  const nodes: NodeDescriptor[] = hosts.map((h, i) => {
    journal.note((r) => r.nodeDescriptors.push(h.nodeDescriptor));
    return createNode({
      name: h.name, dir: join(h.hostDir, 'node'), clusterName, dc: DC, rack: `rack${i + 1}`, host: h.address,
      cqlPort: 9042, jmxPort: 7199, storagePort: 7000, seeds: hosts.slice(0, seedCount).map((s) => s.address),
      index: i, nodeCount: hostCount, numTokens: options.numTokens ?? 4, dataDirCount: options.dataDirs ?? 1,
      confDir: '/etc/cassandra', dataRoot: '/var/lib/cassandra', heap: options.heap ?? '512M', ringDelayMs: 1000,
      storageCompatibilityMode: 'CASSANDRA_4',
      namespace: { netns: h.netns, hostname: h.name, enterPidFile: h.sshdPidFile, mounts: hostMounts(h.hostDir) },
    }, jars, java);
  });

  const cluster: ClusterDescriptor = {
    version: 1, dir, clusterName, dc: DC, subnet: `${slot.prefix}.0/24`, bridge: slot.bridge, gateway: slot.gateway,
    ssh: { user: 'root', port: 22, keyPath: keys.keyPath, rsaKeyPath: keys.rsaKeyPath, knownHostsPath: keys.knownHostsPath },
    hosts: hosts.map(({ hostKey: _k, hostDir: _d, ...h }) => h),
  };
  for (const h of cluster.hosts) {
    await waitFor(`sshd of ${h.name} on ${h.address}:22`, () => tcpAnswers(h.address, 22), { timeoutMs: 20_000, intervalMs: 100 });
    const seen = (await sshOk(cluster, h, 'hostname', 30_000)).trim();
    if (seen !== h.name) throw new Error(`ssh to ${h.address} reached host "${seen}", expected "${h.name}"`);
  }
  // Seeds first and one at a time: a joining node must find the ring it joins already up.
  for (const node of nodes) await startNode(node);
  writeClusterDescriptor(join(dir, CLUSTER_DESCRIPTOR_FILE), cluster);
  return cluster;
}

/** Tears the cluster in `dir` down (see teardownCluster); keeps its files (logs, data). */
export async function stopCluster(dir: string): Promise<void> {
  await teardownCluster(resolve(dir));
}
