/**
 * The cluster descriptor: `cluster.json` in a multi-host cluster's folder, whose path the
 * `cassandra-cluster` environment exports as MEDUSA_TEST_CLUSTER. It lists the hosts with their
 * addresses and node descriptors, and how to reach them over SSH.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readNodeDescriptor, type NodeDescriptor } from './node-descriptor.js';

/** One host of the cluster. */
export interface ClusterHost {
  /** The host's hostname (inside its UTS namespace), e.g. `node1`. */
  name: string;
  address: string;
  netns: string;
  /** Root-namespace end of the host's veth pair: `ip link set <veth> down` partitions the host. */
  veth: string;
  /** Pid file of the host's sshd, the process to `nsenter` into. */
  sshdPidFile: string;
  /** Path of the host's node descriptor (the same path inside and outside the host). */
  nodeDescriptor: string;
  /** Root-namespace folders behind the host's /var/lib/cassandra, /etc/cassandra, /etc/medusa. */
  rootDirs: { varLibCassandra: string; etcCassandra: string; etcMedusa: string };
}

/** Everything a test may rely on about a multi-host cluster. */
export interface ClusterDescriptor {
  version: 1;
  dir: string;
  clusterName: string;
  dc: string;
  /** e.g. `10.213.0.0/24`. */
  subnet: string;
  bridge: string;
  /** The root namespace's address on the bridge (where tests connect from). */
  gateway: string;
  ssh: {
    user: 'root';
    port: 22;
    /** ed25519 private key authorized on every host. */
    keyPath: string;
    /** RSA private key (PEM) authorized on every host, for SSH libraries without ed25519. */
    rsaKeyPath: string;
    /** known_hosts with every host's key under its name and address. */
    knownHostsPath: string;
  };
  hosts: ClusterHost[];
}

/** File name of the descriptor inside the cluster's folder. */
export const CLUSTER_DESCRIPTOR_FILE = 'cluster.json';

/** Reads and checks a cluster descriptor; throws naming the file and what is wrong. */
export function readClusterDescriptor(path: string): ClusterDescriptor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read cluster descriptor ${path}: ${(err as Error).message}`);
  }
  const d = parsed as Partial<ClusterDescriptor> | null;
  if (d?.version !== 1) throw new Error(`${path}: not a harness cluster descriptor (version ${String(d?.version)})`);
  if (!Array.isArray(d.hosts) || d.hosts.length === 0) throw new Error(`${path}: no hosts`);
  for (const h of d.hosts) {
    if (typeof h.name !== 'string' || typeof h.address !== 'string' || typeof h.nodeDescriptor !== 'string') {
      throw new Error(`${path}: a host lacks name, address or nodeDescriptor`);
    }
  }
  if (typeof d.ssh?.keyPath !== 'string' || typeof d.ssh.knownHostsPath !== 'string') {
    throw new Error(`${path}: ssh.keyPath and ssh.knownHostsPath are required`);
  }
  return d as ClusterDescriptor;
}

/** Writes a descriptor atomically. */
export function writeClusterDescriptor(path: string, descriptor: ClusterDescriptor): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(descriptor, null, 2)}\n`);
  renameSync(tmp, path);
}

/** The node descriptors of every host, in host order. */
export function clusterNodes(cluster: ClusterDescriptor): NodeDescriptor[] {
  return cluster.hosts.map((h) => readNodeDescriptor(h.nodeDescriptor));
}
