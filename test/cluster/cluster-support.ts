/**
 * Medusa on a harness cluster (test/harness/cluster.ts): every host gets `/etc/medusa/medusa.ini`
 * (local storage in a folder all hosts see, fqdn = its address, resolve_ip_addresses off so
 * tokenmap keys are addresses) and `/etc/medusa/{nodetool,stop,start}` links to its node's tools,
 * so one orchestrator config (this machine's, pointing at `/etc/medusa/...`) works on every host.
 * Cluster commands run bin/medusa of this repository on the hosts (only /var/lib/cassandra,
 * /etc/cassandra and /etc/medusa differ per host).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'cassandra-driver';
import type { ClusterDescriptor } from '../harness/cluster-descriptor.js';
import { clusterNodes } from '../harness/cluster-descriptor.js';
import { withCql } from '../harness/cql-client.js';
import { MEDUSA_BIN } from '../support/cli.js';

/** Where a test's bucket and orchestrator files live. */
export interface MedusaClusterSetup {
  readonly cluster: ClusterDescriptor;
  /** The orchestrator's medusa.ini (this machine). */
  readonly ini: string;
  readonly tempDir: string;
}

function ini(settings: { basePath: string; bucket: string; fqdn: string; cluster: ClusterDescriptor; bin?: { nodetool: string; start: string; stop: string; sstableloader: string } }): string {
  const bin = settings.bin ?? { nodetool: '/etc/medusa/nodetool', start: '/etc/medusa/start', stop: '/etc/medusa/stop', sstableloader: '/etc/medusa/sstableloader' };
  return [
    '[storage]',
    'storage_provider = local',
    `base_path = ${settings.basePath}`,
    `bucket_name = ${settings.bucket}`,
    `fqdn = ${settings.fqdn}`,
    '',
    '[cassandra]',
    'config_file = /etc/cassandra/cassandra.yaml',
    `nodetool_executable = ${bin.nodetool}`,
    `start_cmd = ${bin.start}`,
    `stop_cmd = ${bin.stop}`,
    `sstableloader_bin = ${bin.sstableloader}`,
    'resolve_ip_addresses = False',
    'use_sudo = False',
    '',
    '[ssh]',
    `username = ${settings.cluster.ssh.user}`,
    `key_file = ${settings.cluster.ssh.keyPath}`,
    'keepalive_seconds = 10',
    '',
  ].join('\n');
}

/** Writes every host's /etc/medusa and the orchestrator's ini into `workDir`; `bucket` under `storageDir`. */
export function setUpMedusa(cluster: ClusterDescriptor, workDir: string, storageDir: string, bucket: string): MedusaClusterSetup {
  mkdirSync(storageDir, { recursive: true });
  const nodes = clusterNodes(cluster);
  cluster.hosts.forEach((h, i) => {
    const node = nodes[i]!;
    const etc = h.rootDirs.etcMedusa;
    for (const tool of ['nodetool', 'start', 'stop', 'sstableloader'] as const) {
      rmSync(join(etc, tool), { force: true });
      symlinkSync(node.bin[tool], join(etc, tool));
    }
    writeFileSync(join(etc, 'medusa.ini'), ini({ basePath: storageDir, bucket, fqdn: h.address, cluster }));
  });
  mkdirSync(workDir, { recursive: true });
  const tempDir = join(workDir, 'tmp');
  mkdirSync(tempDir, { recursive: true });
  const orchestratorIni = join(workDir, 'medusa.ini');
  writeFileSync(orchestratorIni, ini({ basePath: storageDir, bucket, fqdn: cluster.hosts[0]!.address, cluster }));
  return { cluster, ini: orchestratorIni, tempDir };
}

/** Result of a medusa run. */
export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs bin/medusa here with the orchestrator ini, known_hosts of the cluster, and the hosts told to
 * run this repository's bin/medusa. `input` is written to stdin (then closed).
 */
export function medusa(setup: MedusaClusterSetup, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(MEDUSA_BIN, [`--config-file=${setup.ini}`, ...args, ...(/^(backup|restore)-cluster$/.test(args[0] ?? '') ? ['--remote-config-file=/etc/medusa/medusa.ini'] : [])], {
      env: { ...process.env, TZ: 'UTC', MEDUSA_SSH_KNOWN_HOSTS: setup.cluster.ssh.knownHostsPath, MEDUSA_REMOTE_COMMAND: MEDUSA_BIN, SSH_AUTH_SOCK: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Runs CQL work against every node of the cluster. */
export function withClusterCql<T>(cluster: ClusterDescriptor, work: (client: Client) => Promise<T>): Promise<T> {
  return withCql(clusterNodes(cluster), work);
}
