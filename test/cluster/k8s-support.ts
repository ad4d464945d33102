/**
 * Kubernetes pods played by harness cluster hosts, for the restore init container's tests. A host
 * stands for a pod: its hostname is the pod name (in Kubernetes a pod's hostname is its name), its
 * own `/var/lib/cassandra`, `/etc/cassandra` and `/etc/medusa` are the pod's volumes. Per host:
 * - `/etc/medusa/medusa.ini`: the pod's configuration as the operator writes it in spirit
 *   (`[kubernetes] enabled`, Management API URL, local storage shared by every host), with
 *   `fqdn` = the pod name: with no DNS server here, the PTR lookup that gives a pod its name in
 *   Kubernetes cannot run, so the name is configured;
 * - `/etc/medusa/backup.ini`: the same node backed up with nodetool (the harness nodes run no
 *   Management API), tokenmap hosts named by reverse lookup (each host's /etc/hosts), so backups
 *   name hosts as they would in a pod.
 * `runInitContainer` runs `k8s/entrypoint.sh` inside the host (nsenter) with the environment the
 * operator gives the `medusa-restore` init container; `startSidecar` runs it as the `medusa`
 * side-car (MEDUSA_MODE=GRPC), whose GetBackups the operator reads the backup's nodes from. `operatorRestoreMapping` builds
 * `RESTORE_MAPPING` the way k8ssandra-operator's MedusaRestoreJob does (pkg/medusa/hostmap.go).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { clusterNodes, type ClusterDescriptor } from '../harness/cluster-descriptor.js';
import { startAgentCommand, type AgentProcess } from '../support/agent-servers.js';
import { okResponse, type ReferenceGrpcClient } from '../support/medusa-grpc-client.js';
import type { OperatorSummary } from '../support/operator-flow.js';
import { types } from 'cassandra-driver';
import { withCql } from '../harness/cql-client.js';
import { createKeyspace, flush } from '../harness/cql-helpers.js';
import { nodeCommand, nodetool, runOnNodeHost, startNode } from '../harness/node-control.js';
import { rootViewPath, type NodeDescriptor } from '../harness/node-descriptor.js';
import { MEDUSA_BIN } from '../support/cli.js';

const repo = join(import.meta.dirname, '..', '..');
export const ENTRYPOINT = join(repo, 'k8s', 'entrypoint.sh');

/** A `BackupSummary.nodes` entry, as GetBackups returns it. */
export interface BackupNode {
  readonly host: string;
  readonly datacenter: string;
  readonly rack: string;
}

/**
 * `RESTORE_MAPPING` as MedusaRestoreJob builds it: the backup's nodes of datacenter `dc`, grouped
 * by rack, racks sorted by name, nodes in GetBackups order within a rack, mapped in order onto the
 * target racks' pods (`targetRacks`: rack → pod names by ordinal, racks sorted the same way);
 * `in_place` when every source equals its target; `seed` always false.
 */
export function operatorRestoreMapping(nodes: readonly BackupNode[], dc: string, targetRacks: ReadonlyMap<string, readonly string[]>): string {
  const sourceRacks = new Map<string, string[]>();
  for (const n of nodes) if (n.datacenter === dc) sourceRacks.set(n.rack, [...(sourceRacks.get(n.rack) ?? []), n.host]);
  const sources = [...sourceRacks.keys()].sort();
  const targets = [...targetRacks.keys()].sort();
  if (sources.length !== targets.length) throw new Error('number of racks in source != racks in destination');
  const hostMap: Record<string, { source: string[]; seed: boolean }> = {};
  let inPlace = true;
  sources.forEach((rack, i) => {
    const pods = targetRacks.get(targets[i]!) ?? [];
    (sourceRacks.get(rack) ?? []).forEach((host, j) => {
      const pod = pods[j];
      if (pod === undefined) throw new Error(`source rack ${rack} is bigger than target rack ${targets[i]!}`);
      hostMap[pod] = { source: [host], seed: false };
      if (host !== pod) inPlace = false;
    });
  });
  return JSON.stringify({ in_place: inPlace, host_map: hostMap });
}

/** The pods of a harness cluster by rack (one host per rack), as `operatorRestoreMapping` wants them. */
export function podsByRack(cluster: ClusterDescriptor): Map<string, string[]> {
  const racks = new Map<string, string[]>();
  for (const node of clusterNodes(cluster)) racks.set(node.rack, [...(racks.get(node.rack) ?? []), node.name]);
  return racks;
}

/** `[storage]` lines of local storage in `base` (a folder every host sees), bucket `bucket`. */
export function localStorageLines(base: string, bucket: string): string[] {
  return ['storage_provider = local', `base_path = ${base}`, `bucket_name = ${bucket}`];
}

/**
 * Writes each host's pod ini and backup ini, both on the storage `storageLines` describe (without
 * `fqdn`, which is the host's name); `podLines` go at the end of the pod ini's `[storage]`.
 */
export function writePodConfigs(cluster: ClusterDescriptor, storageLines: readonly string[], podLines: readonly string[] = []): void {
  const nodes = clusterNodes(cluster);
  cluster.hosts.forEach((h, i) => {
    const node = nodes[i]!;
    const storage = ['[storage]', ...storageLines, `fqdn = ${h.name}`];
    writeFileSync(join(h.rootDirs.etcMedusa, 'medusa.ini'), [
      ...storage, ...podLines, '',
      '[cassandra]', 'config_file = /etc/cassandra/cassandra.yaml', 'use_sudo = false', '',
      '[kubernetes]', 'enabled = 1', 'use_mgmt_api = 1', 'cassandra_url = http://127.0.0.1:8080/api/v0/ops/node/snapshots', '',
      '[grpc]', 'enabled = 1', '', '[logging]', 'level = DEBUG', '',
    ].join('\n'));
    writeFileSync(join(h.rootDirs.etcMedusa, 'backup.ini'), [
      ...storage, '',
      '[cassandra]', 'config_file = /etc/cassandra/cassandra.yaml', `nodetool_executable = ${node.bin.nodetool}`, 'resolve_ip_addresses = True', '',
    ].join('\n'));
  });
}

/** Environment of a process run inside a host: this Node and this repository's `bin` on PATH. */
function hostEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const keep = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(MEDUSA_|BACKUP_NAME$|RESTORE_|POD_)/.test(k)));
  return { ...keep, TZ: 'UTC', PATH: [join(repo, 'bin'), dirname(process.execPath), process.env['PATH'] ?? ''].join(delimiter), ...extra };
}

/** `medusa --config-file /etc/medusa/backup.ini backup --backup-name NAME` inside the node's host. */
export async function backupHost(node: NodeDescriptor, name: string): Promise<void> {
  const r = await runOnNodeHost(node, [process.execPath, MEDUSA_BIN, '--config-file', '/etc/medusa/backup.ini', 'backup', '--backup-name', name], { timeoutMs: 600_000, env: hostEnv({}) });
  if (r.code !== 0) throw new Error(`backup of ${node.name} failed (${r.code}):\n${r.stderr}`);
}

/**
 * Creates `keyspace.items` (replication 2 in dc1) with `rows` rows of `payloadBytes` random bytes
 * (hex) each, written at consistency ALL, flushes every node and backs every host up as `backup`.
 */
export async function fillAndBackUp(cluster: ClusterDescriptor, o: { keyspace: string; rows: number; payloadBytes: number; backup: string }): Promise<void> {
  const nodes = clusterNodes(cluster);
  await withCql(nodes, async (c) => {
    await createKeyspace(c, o.keyspace, { dc1: 2 });
    await c.execute(`CREATE TABLE IF NOT EXISTS ${o.keyspace}.items (id int PRIMARY KEY, payload text)`);
    for (let i = 0; i < o.rows; i++) {
      await c.execute(`INSERT INTO ${o.keyspace}.items (id, payload) VALUES (?, ?)`, [i, randomBytes(o.payloadBytes).toString('hex')], { prepare: true, consistency: types.consistencies.all });
    }
  });
  for (const node of nodes) await flush(node, o.keyspace);
  for (const node of nodes) await backupHost(node, o.backup);
}

/** Rows of `keyspace.items`, every replica asked (consistency ALL). */
export function countItems(cluster: ClusterDescriptor, keyspace: string): Promise<number> {
  return withCql(clusterNodes(cluster), async (c) => {
    const r = await c.execute(`SELECT COUNT(*) AS n FROM ${keyspace}.items`, [], { consistency: types.consistencies.all });
    return Number(r.first().get('n'));
  });
}

/** The pod's `/var/lib/cassandra/.last-restore`, or undefined when there is none. */
export function lastRestore(node: NodeDescriptor): string | undefined {
  const path = rootViewPath(node, '/var/lib/cassandra/.last-restore');
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/**
 * Starts every pod's Cassandra, one at a time in the cluster's order (seeds first, as cass-operator
 * starts pods), then waits (bounded: 3 minutes) until every node's `nodetool status` shows every
 * node UN: a node answering CQL may not yet see its peers up, and reads at consistency ALL need them.
 */
export async function startPods(cluster: ClusterDescriptor): Promise<void> {
  const nodes = clusterNodes(cluster);
  for (const node of nodes) await startNode(node);
  const deadline = Date.now() + 180_000;
  for (const node of nodes) {
    for (;;) {
      const out = await nodetool(node, ['-Dcom.sun.jndi.rmiURLParsing=legacy', 'status']).catch((err: Error) => err.message);
      if (out.split('\n').filter((l) => l.startsWith('UN ')).length === nodes.length) break;
      if (Date.now() > deadline) throw new Error(`${node.name} does not see all ${nodes.length} nodes up after 3 minutes:\n${out}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** A running init container. */
export interface InitContainer {
  readonly pid: number;
  /** Resolves when it exits. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/**
 * Starts `k8s/entrypoint.sh` in the node's host with `MEDUSA_MODE=RESTORE` and `env` (BACKUP_NAME,
 * RESTORE_KEY, RESTORE_MAPPING, POD_NAME...). nsenter, env and the entrypoint exec one another,
 * so `pid` ends up being the medusa process itself: killing it kills the restore.
 */
export function startInitContainer(node: NodeDescriptor, env: Record<string, string>): InitContainer {
  const [command, ...args] = nodeCommand(node, [ENTRYPOINT]);
  const child = spawn(command!, args, { env: hostEnv({ MEDUSA_MODE: 'RESTORE', MEDUSA_TMP_DIR: '/var/lib/cassandra', ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { pid: child.pid!, done };
}

/** Runs the init container to its end (bounded: 10 minutes). */
export async function runInitContainer(node: NodeDescriptor, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const init = startInitContainer(node, env);
  const timer = setTimeout(() => process.kill(init.pid, 'SIGKILL'), 600_000);
  try {
    return await init.done;
  } finally {
    clearTimeout(timer);
  }
}

/** The gRPC port of the pod ini (`[grpc]` without `port`: Medusa's default). */
export const SIDECAR_PORT = 50051;

/**
 * The pod's `medusa` side-car: `k8s/entrypoint.sh` with the side-car's environment
 * (MEDUSA_MODE=GRPC, MEDUSA_TMP_DIR, POD_NAME) inside the node's host, serving on the host's
 * address; resolves once it answers health checks. Its cache goes to the host's own
 * /var/lib/cassandra: the hosts share root's home folder, where a pod has its own.
 */
export function startSidecar(cluster: ClusterDescriptor, node: NodeDescriptor, client: ReferenceGrpcClient): Promise<AgentProcess> {
  const host = cluster.hosts.find((h) => h.name === node.name);
  if (!host) throw new Error(`no host ${node.name} in cluster ${cluster.clusterName}`);
  return startAgentCommand(`k8s/entrypoint.sh (MEDUSA_MODE=GRPC) on ${node.name}`, nodeCommand(node, [ENTRYPOINT]), {
    host: host.address,
    port: SIDECAR_PORT,
    client,
    env: hostEnv({ MEDUSA_MODE: 'GRPC', MEDUSA_TMP_DIR: '/var/lib/cassandra', POD_NAME: node.name, MEDUSA_CACHE_DIR: '/var/lib/cassandra/medusa-cache' }),
  });
}

/** The backup's nodes as the operator reads them: GetBackups on a side-car, the summary named `backupName`. */
export async function backupNodesFromSidecar(client: ReferenceGrpcClient, sidecar: AgentProcess, backupName: string): Promise<BackupNode[]> {
  const answer = okResponse(await client.call(sidecar.target, 'GetBackups'), `GetBackups on ${sidecar.target}`) as { backups: OperatorSummary[] };
  const summary = answer.backups.find((b) => b.backupName === backupName);
  if (!summary) throw new Error(`GetBackups on ${sidecar.target} has no backup ${backupName}: ${answer.backups.map((b) => b.backupName).join(', ')}`);
  return summary.nodes.map((n) => ({ host: n.host, datacenter: n.datacenter, rack: n.rack }));
}
