/**
 * The node descriptor: one JSON file (`node.json` in the node's folder) that tells a test
 * everything about one harness Cassandra node, so tests and tools never guess paths or ports.
 * Paths are as the node itself sees them. For a node of a multi-host cluster that view differs from
 * the root namespace's for the folders bind-mounted into the host (`/var/lib/cassandra`,
 * `/etc/cassandra`, ...); `namespace.mounts` maps them and {@link rootViewPath} translates.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/** A folder bind-mounted into a host: `hostPath` inside the host is `rootPath` outside. */
export interface BindMount {
  hostPath: string;
  rootPath: string;
}

/** Present when the node runs inside a harness host's namespaces (multi-host mode). */
export interface NodeNamespace {
  /** Network namespace name (`ip netns exec <netns> ...`). */
  netns: string;
  /** The host's hostname inside its UTS namespace. */
  hostname: string;
  /** File holding the pid of the host's sshd; `nsenter -t <pid> -n -m -u` enters the host. */
  enterPidFile: string;
  mounts: BindMount[];
}

/** Everything a test may rely on about one node. */
export interface NodeDescriptor {
  /** Format version of this file; bumped on incompatible changes. */
  version: 1;
  name: string;
  /** The node's own folder: bin/, logs/, node.json, pid file. Same path in every view. */
  dir: string;
  cassandraVersion: string;
  clusterName: string;
  dc: string;
  rack: string;
  /** listen_address = rpc_address = broadcast address. */
  host: string;
  cqlPort: number;
  /** JMX port; JMX listens on 127.0.0.1 of the node's network namespace only. */
  jmxPort: number;
  storagePort: number;
  seeds: string[];
  numTokens: number;
  /** The node's initial tokens (decimal strings), ascending. */
  tokens: string[];
  confDir: string;
  cassandraYaml: string;
  /** data_file_directories, in order; more than one means JBOD. */
  dataDirs: string[];
  commitlogDir: string;
  savedCachesDir: string;
  hintsDir: string;
  /** Holds system.log (Cassandra's logback) and stdout.log (the JVM's own output). */
  logDir: string;
  pidFile: string;
  /** Generated executables; see the README for their contracts. */
  bin: { nodetool: string; sstableloader: string; start: string; stop: string };
  javaHome: string;
  heap: string;
  namespace?: NodeNamespace;
  /** Present when the node runs the Jolokia agent: its HTTP endpoint on 127.0.0.1. */
  jolokia?: { port: number; url: string };
}

/** File name of the descriptor inside a node's folder. */
export const NODE_DESCRIPTOR_FILE = 'node.json';

function fail(path: string, problem: string): never {
  throw new Error(`${path}: not a harness node descriptor: ${problem}`);
}

/** Reads and checks a descriptor; throws naming the file and the first field that is wrong. */
export function readNodeDescriptor(path: string): NodeDescriptor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read node descriptor ${path}: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null) fail(path, 'not a JSON object');
  const d = parsed as Record<string, unknown>;
  if (d.version !== 1) fail(path, `unsupported version ${String(d.version)}`);
  for (const key of ['name', 'dir', 'cassandraVersion', 'clusterName', 'dc', 'rack', 'host', 'confDir',
    'cassandraYaml', 'commitlogDir', 'savedCachesDir', 'hintsDir', 'logDir', 'pidFile', 'javaHome', 'heap']) {
    if (typeof d[key] !== 'string' || d[key] === '') fail(path, `${key} must be a non-empty string`);
  }
  for (const key of ['cqlPort', 'jmxPort', 'storagePort', 'numTokens']) {
    if (!Number.isInteger(d[key])) fail(path, `${key} must be an integer`);
  }
  for (const key of ['dataDirs', 'seeds', 'tokens']) {
    const value = d[key];
    if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) {
      fail(path, `${key} must be a non-empty array of strings`);
    }
  }
  const bin = d.bin as Record<string, unknown> | undefined;
  for (const key of ['nodetool', 'sstableloader', 'start', 'stop']) {
    if (typeof bin?.[key] !== 'string') fail(path, `bin.${key} must be a string`);
  }
  return parsed as NodeDescriptor;
}

/** Writes a descriptor atomically (temporary file + rename), so readers never see half a file. */
export function writeNodeDescriptor(path: string, descriptor: NodeDescriptor): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(descriptor, null, 2)}\n`);
  renameSync(tmp, path);
}

/**
 * Translates a path as the node sees it into the same file's path in the root namespace (where the
 * test runner lives). Paths outside every bind mount, and every path of a single node, are returned
 * unchanged.
 */
export function rootViewPath(descriptor: NodeDescriptor, hostPath: string): string {
  for (const m of descriptor.namespace?.mounts ?? []) {
    if (hostPath === m.hostPath) return m.rootPath;
    if (hostPath.startsWith(`${m.hostPath}/`)) return m.rootPath + hostPath.slice(m.hostPath.length);
  }
  return hostPath;
}
