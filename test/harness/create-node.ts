/**
 * Lays out one node: its folder (bin/, logs/, node.json), its configuration and data folders, and
 * its generated executables. Creating does not start anything. For a node of a multi-host cluster
 * the files are written through the root-namespace side of the host's bind mounts.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderCassandraYaml, renderRackDc, renderServerLogback, renderToolsLogback } from './cassandra-config.js';
import type { CassandraJars } from './jars.js';
import type { JavaRuntime } from './java-runtime.js';
import { jolokiaJvmOption, jolokiaUrl } from './jolokia.js';
import { clientJvmOptions, serverJvmOptions } from './jvm-options.js';
import {
  NODE_DESCRIPTOR_FILE, rootViewPath, writeNodeDescriptor, type NodeDescriptor, type NodeNamespace,
} from './node-descriptor.js';
import {
  renderNodetoolScript, renderSstableloaderScript, renderStartScript, renderStopScript, type NodeScriptSettings,
} from './node-scripts.js';
import { initialTokens } from './tokens.js';

/** Everything that makes one node what it is. */
export interface NodeSpec {
  name: string;
  /** The node's own folder (same path inside and outside a host). */
  dir: string;
  clusterName: string;
  dc: string;
  rack: string;
  host: string;
  cqlPort: number;
  jmxPort: number;
  storagePort: number;
  /** Seed addresses (without port; the storage port is appended). */
  seeds: string[];
  /** Position in the cluster and cluster size, for deterministic tokens. */
  index: number;
  nodeCount: number;
  numTokens: number;
  /** Number of data_file_directories (JBOD when > 1). */
  dataDirCount: number;
  /** As the node sees them: where cassandra.yaml & co. live, and the root of its data folders. */
  confDir: string;
  dataRoot: string;
  heap: string;
  ringDelayMs: number;
  storageCompatibilityMode: 'CASSANDRA_4' | 'UPGRADING' | 'NONE';
  namespace?: NodeNamespace;
  /** Attach the Jolokia agent (jolokia.ts) on 127.0.0.1:`port` of the node's network namespace. */
  jolokia?: { jar: string; port: number };
}

function describeNode(spec: NodeSpec, jars: CassandraJars, java: JavaRuntime): NodeDescriptor {
  const dataDirs = spec.dataDirCount === 1
    ? [join(spec.dataRoot, 'data')]
    : Array.from({ length: spec.dataDirCount }, (_, i) => join(spec.dataRoot, `data${i + 1}`));
  const bin = (name: string): string => join(spec.dir, 'bin', name);
  return {
    version: 1,
    name: spec.name,
    dir: spec.dir,
    cassandraVersion: jars.version,
    clusterName: spec.clusterName,
    dc: spec.dc,
    rack: spec.rack,
    host: spec.host,
    cqlPort: spec.cqlPort,
    jmxPort: spec.jmxPort,
    storagePort: spec.storagePort,
    seeds: spec.seeds,
    numTokens: spec.numTokens,
    tokens: initialTokens(spec.index, spec.nodeCount, spec.numTokens),
    confDir: spec.confDir,
    cassandraYaml: join(spec.confDir, 'cassandra.yaml'),
    dataDirs,
    commitlogDir: join(spec.dataRoot, 'commitlog'),
    savedCachesDir: join(spec.dataRoot, 'saved_caches'),
    hintsDir: join(spec.dataRoot, 'hints'),
    logDir: join(spec.dir, 'logs'),
    pidFile: join(spec.dir, 'cassandra.pid'),
    bin: { nodetool: bin('nodetool'), sstableloader: bin('sstableloader'), start: bin('start'), stop: bin('stop') },
    javaHome: java.home,
    heap: spec.heap,
    ...(spec.namespace ? { namespace: spec.namespace } : {}),
    ...(spec.jolokia ? { jolokia: { port: spec.jolokia.port, url: jolokiaUrl(spec.jolokia.port) } } : {}),
  };
}

/**
 * Writes every file of the node and returns its descriptor (also saved as `<dir>/node.json`).
 * Overwrites the configuration and scripts of an existing node folder but never its data.
 */
export function createNode(spec: NodeSpec, jars: CassandraJars, java: JavaRuntime): NodeDescriptor {
  const d = describeNode(spec, jars, java);
  const write = (hostPath: string, text: string, mode = 0o644): void => {
    const path = rootViewPath(d, hostPath);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    chmodSync(path, mode);
  };
  const cdcRawDir = join(spec.dataRoot, 'cdc_raw');
  const dirs = [...d.dataDirs, d.commitlogDir, d.savedCachesDir, d.hintsDir, cdcRawDir];
  for (const dir of [...dirs, d.logDir]) mkdirSync(rootViewPath(d, dir), { recursive: true });

  write(d.cassandraYaml, renderCassandraYaml({
    clusterName: d.clusterName, numTokens: d.numTokens, tokens: d.tokens, dataDirs: d.dataDirs,
    commitlogDir: d.commitlogDir, savedCachesDir: d.savedCachesDir, hintsDir: d.hintsDir, cdcRawDir,
    seeds: d.seeds.map((s) => `${s}:${d.storagePort}`), host: d.host, storagePort: d.storagePort,
    cqlPort: d.cqlPort, storageCompatibilityMode: spec.storageCompatibilityMode,
  }));
  write(join(d.confDir, 'cassandra-rackdc.properties'), renderRackDc(d.dc, d.rack));
  write(join(d.confDir, 'logback.xml'), renderServerLogback(d.logDir));
  write(join(d.confDir, 'logback-tools.xml'), renderToolsLogback());

  const scripts: NodeScriptSettings = {
    name: d.name, java: java.java, classpath: `${d.confDir}:${jars.libDir}/*`, confDir: d.confDir,
    cassandraYaml: d.cassandraYaml, logDir: d.logDir, pidFile: d.pidFile, dirs, host: d.host,
    cqlPort: d.cqlPort, jmxPort: d.jmxPort,
    serverJvmOptions: [
      ...serverJvmOptions({ heap: spec.heap, jammJar: jars.jammJar, jmxPort: d.jmxPort, ringDelayMs: spec.ringDelayMs }),
      ...(spec.jolokia ? [jolokiaJvmOption(spec.jolokia.jar, spec.jolokia.port)] : []),
    ],
    clientJvmOptions,
    ...(spec.namespace ? { requiredHostname: spec.namespace.hostname } : {}),
  };
  write(d.bin.start, renderStartScript(scripts), 0o755);
  write(d.bin.stop, renderStopScript(scripts), 0o755);
  write(d.bin.nodetool, renderNodetoolScript(scripts), 0o755);
  write(d.bin.sstableloader, renderSstableloaderScript(scripts), 0o755);
  writeNodeDescriptor(join(d.dir, NODE_DESCRIPTOR_FILE), d);
  return d;
}
