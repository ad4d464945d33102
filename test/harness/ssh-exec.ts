/**
 * Runs commands on cluster hosts over real SSH (OpenSSH's client with the cluster's key and
 * known_hosts, strict host-key checking, no user ssh config), the way an operator or Medusa would.
 */
import type { ClusterDescriptor, ClusterHost } from './cluster-descriptor.js';
import { execCapture, type ExecResult } from './exec.js';

/** The `ssh` argv (without the remote command) that logs in to `host` as root. */
export function sshArgs(cluster: ClusterDescriptor, host: ClusterHost): string[] {
  return [
    '-F', '/dev/null', '-i', cluster.ssh.keyPath, '-p', String(cluster.ssh.port),
    '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10',
    '-o', `UserKnownHostsFile=${cluster.ssh.knownHostsPath}`, '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=yes', '-o', 'LogLevel=ERROR',
    `${cluster.ssh.user}@${host.address}`,
  ];
}

/** Runs `command` (a shell command line) on `host` over SSH; never rejects for a non-zero exit. */
export function sshRun(cluster: ClusterDescriptor, host: ClusterHost, command: string, timeoutMs = 120_000): Promise<ExecResult> {
  return execCapture('ssh', [...sshArgs(cluster, host), command], { timeoutMs });
}

/** Like {@link sshRun}, but rejects (with the output) unless the command exits 0; resolves with stdout. */
export async function sshOk(cluster: ClusterDescriptor, host: ClusterHost, command: string, timeoutMs = 120_000): Promise<string> {
  const result = await sshRun(cluster, host, command, timeoutMs);
  if (result.code !== 0) {
    throw new Error(`ssh ${host.name} (${host.address}) \`${command}\` exited ${result.code ?? result.signal}:\n${result.stderr}${result.stdout}`.trim());
  }
  return result.stdout;
}
