/**
 * Starting, stopping and checking a harness node from TypeScript, through the node's own generated
 * executables (so tests exercise the same scripts Medusa runs). For a node of a multi-host cluster
 * every command runs inside that host's namespaces via `nsenter`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectCql } from './cql-client.js';
import { execCapture, execOk, type ExecOptions, type ExecResult } from './exec.js';
import { rootViewPath, type NodeDescriptor } from './node-descriptor.js';
import { nodeProcessMarker } from './node-scripts.js';
import { isProcessAlive, readPidFile, terminateProcess } from './processes.js';
import { tcpAnswers, waitFor } from './probes.js';

/** How long a node may take to answer CQL and JMX after `start`: ~20 s on a quiet machine, over 2 min seen under heavy load. */
export const NODE_START_TIMEOUT_MS = 300_000;

function hostAlive(d: NodeDescriptor): boolean {
  const pid = d.namespace ? readPidFile(d.namespace.enterPidFile) : undefined;
  return pid !== undefined && isProcessAlive(pid);
}

/** `argv` as run inside the node's host: unchanged for a single node, behind nsenter otherwise. */
export function nodeCommand(d: NodeDescriptor, argv: readonly string[]): string[] {
  if (!d.namespace) return [...argv];
  const pid = readPidFile(d.namespace.enterPidFile);
  if (pid === undefined || !hostAlive(d)) throw new Error(`host ${d.namespace.hostname} is not running (no pid in ${d.namespace.enterPidFile})`);
  return ['nsenter', '-t', String(pid), '-n', '-m', '-u', '--', ...argv];
}

/** Runs a program on the node's host and captures its output; never rejects for a non-zero exit. */
export function runOnNodeHost(d: NodeDescriptor, argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
  const [command, ...args] = nodeCommand(d, argv);
  return execCapture(command ?? '', args, options);
}

/** Runs the node's own `nodetool` with `args`; rejects (with its output) unless it exits 0. */
export async function nodetool(d: NodeDescriptor, args: readonly string[], timeoutMs = 120_000): Promise<string> {
  const [command, ...rest] = nodeCommand(d, [d.bin.nodetool, ...args]);
  return (await execOk(command ?? '', rest, { timeoutMs })).stdout;
}

/** The pid of the node's JVM, when it is running. */
export function nodePid(d: NodeDescriptor): number | undefined {
  const pid = readPidFile(d.pidFile);
  return pid !== undefined && isProcessAlive(pid, nodeProcessMarker(d.pidFile)) ? pid : undefined;
}

/** The last lines of the node's logs, for error messages. */
export function nodeLogTail(d: NodeDescriptor, lines = 30): string {
  const out: string[] = [];
  for (const name of ['stdout.log', 'system.log']) {
    const path = rootViewPath(d, join(d.logDir, name));
    if (!existsSync(path)) continue;
    // Long lines (the classpath, the JVM arguments) are cut so the message stays readable.
    const tail = readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines)
      .map((l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l)).join('\n');
    out.push(`--- ${path} (last ${lines} lines)\n${tail}`);
  }
  return out.join('\n');
}

async function jmxAnswers(d: NodeDescriptor): Promise<boolean> {
  if (!d.namespace) return tcpAnswers('127.0.0.1', d.jmxPort);
  // JMX listens on the loopback of the host's own network namespace.
  const probe = await runOnNodeHost(d, ['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${d.jmxPort}`], { timeoutMs: 5000 });
  return probe.code === 0;
}

async function cqlQueryWorks(d: NodeDescriptor): Promise<boolean> {
  const client = connectCql([d]);
  try {
    await client.execute('SELECT release_version FROM system.local');
    return true;
  } catch {
    return false;
  } finally {
    await client.shutdown();
  }
}

/**
 * Resolves once the node's JVM is up, CQL answers a query and JMX accepts connections; rejects at
 * once when the JVM dies, or after `timeoutMs`, with the tail of the node's logs.
 */
export async function waitNodeReady(d: NodeDescriptor, timeoutMs = NODE_START_TIMEOUT_MS): Promise<void> {
  await waitFor(`node ${d.name} (${d.host}) to answer CQL on port ${d.cqlPort} and JMX on port ${d.jmxPort}`, async () => {
    if (nodePid(d) === undefined) throw new Error(`node ${d.name} is not running (it died during start-up?)\n${nodeLogTail(d)}`);
    return (await tcpAnswers(d.host, d.cqlPort)) && (await jmxAnswers(d)) && (await cqlQueryWorks(d));
  }, { timeoutMs, diagnose: () => nodeLogTail(d) });
}

/** Runs the node's `bin/start` and waits until it is ready (see {@link waitNodeReady}). */
export async function startNode(d: NodeDescriptor, timeoutMs = NODE_START_TIMEOUT_MS): Promise<void> {
  const [command, ...args] = nodeCommand(d, [d.bin.start]);
  await execOk(command ?? '', args, { timeoutMs: 30_000 });
  await waitNodeReady(d, timeoutMs);
}

/**
 * Runs the node's `bin/stop` (SIGTERM, SIGKILL after `graceSeconds`), which returns once the JVM is
 * gone. Harmless for a node that is not running. For a multi-host node whose host is already gone,
 * the JVM is signalled directly by pid.
 */
export async function stopNode(d: NodeDescriptor, graceSeconds = 60): Promise<void> {
  if (nodePid(d) === undefined) return;
  if (d.namespace && !hostAlive(d)) {
    const pid = nodePid(d);
    if (pid !== undefined) await terminateProcess(pid, { marker: nodeProcessMarker(d.pidFile), graceMs: graceSeconds * 1000 });
    return;
  }
  const [command, ...args] = nodeCommand(d, [d.bin.stop, String(graceSeconds)]);
  await execOk(command ?? '', args, { timeoutMs: (graceSeconds + 30) * 1000 });
}
