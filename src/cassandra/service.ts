/**
 * Stopping, starting and probing the local Cassandra service for a restore (reference §5.1 steps
 * 5 and 9, §2.4 `health_check`):
 * - `stop_cmd` / `start_cmd` are split like Python's `shlex.split` and run without a shell;
 * - "up" per `[checks] health_check`: `cql` = the native OR the storage port accepts a TCP
 *   connection, `thrift` = the rpc port does, `all` = rpc AND native AND storage do;
 * - waits are bounded: a fixed number of probes with exponentially growing pauses (Medusa: 7 probes,
 *   5 s doubling up to 120 s), each failure of patience an `OperationError` naming the host.
 */
import { spawn } from 'node:child_process';
import { Socket } from 'node:net';
import type { ChecksSection } from '../config/types.js';
import type { Clock } from '../util/clock.js';
import { OperationError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { redactPasswordArgs, redactPasswordText } from '../util/redact-password.js';
import { splitShellWords } from './shell-words.js';

/** Ports the health check probes (from cassandra.yaml). */
export interface ServicePorts {
  readonly nativePort: number;
  readonly storagePort: number;
  readonly rpcPort: number;
}

/** How long to keep probing: `attempts` probes, pauses from `firstWaitMs` doubling up to `maxWaitMs`. */
export interface WaitPolicy {
  readonly attempts: number;
  readonly firstWaitMs: number;
  readonly maxWaitMs: number;
}

/** Medusa's node up/down wait: 7 probes, exponential from 5 s, at most 120 s apart. */
export const NODE_WAIT: WaitPolicy = { attempts: 7, firstWaitMs: 5_000, maxWaitMs: 120_000 };

/** Medusa's seed wait: one probe a minute for an hour. */
export const SEED_WAIT: WaitPolicy = { attempts: 61, firstWaitMs: 60_000, maxWaitMs: 60_000 };

/** Result of a command. */
export interface CommandResult {
  readonly code: number;
  readonly output: string;
}

/**
 * Runs `argv` without a shell and resolves when the process exits (not when its output closes: a
 * start command may leave a daemon holding the pipes). Output is kept up to 64 KiB for messages.
 */
export function runCommand(argv: readonly string[], options: { timeoutMs?: number } = {}): Promise<CommandResult> {
  const [command, ...args] = argv;
  if (command === undefined) return Promise.reject(new OperationError('empty command'));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      if (output.length < 65_536) output += chunk.toString('utf8');
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = options.timeoutMs !== undefined ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(new OperationError(`cannot run ${command}: ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ code: code ?? (signal ? 128 : 1), output: output.trim() });
    });
  });
}

/** The words of a `[cassandra]` command setting; a malformed value is an `OperationError` naming the key. */
export function commandWords(key: 'start_cmd' | 'stop_cmd', value: string): string[] {
  let words: string[];
  try {
    words = splitShellWords(value);
  } catch (err) {
    throw new OperationError(`[cassandra] ${key}: cannot split ${JSON.stringify(value)}: ${(err as Error).message}`);
  }
  if (words.length === 0) throw new OperationError(`[cassandra] ${key} is empty`);
  return words;
}

/** Whether a TCP connection to `host:port` succeeds within `timeoutMs` (Medusa: 3 s). */
export function portOpen(host: string, port: number, timeoutMs = 3_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/** The `[checks] health_check` verdict for `host`. */
export async function isNodeUp(host: string, ports: ServicePorts, check: ChecksSection['health_check']): Promise<boolean> {
  switch (check) {
    case 'thrift':
      return portOpen(host, ports.rpcPort);
    case 'all':
      return (await portOpen(host, ports.rpcPort)) && (await portOpen(host, ports.nativePort)) && (await portOpen(host, ports.storagePort));
    case 'cql':
      return (await portOpen(host, ports.nativePort)) || (await portOpen(host, ports.storagePort));
  }
}

/** Probes `probe` until it returns true, per `policy`; returns false when patience ran out. */
export async function waitUntil(probe: () => Promise<boolean>, policy: WaitPolicy, clock: Clock): Promise<boolean> {
  let wait = policy.firstWaitMs;
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    if (await probe()) return true;
    if (attempt === policy.attempts) break;
    await clock.sleep(wait);
    wait = Math.min(wait * 2, policy.maxWaitMs);
  }
  return false;
}

/** What service control needs. */
export interface ServiceContext {
  readonly host: string;
  readonly ports: ServicePorts;
  readonly check: ChecksSection['health_check'];
  readonly clock: Clock;
  readonly log: Logger;
  readonly nodeWait?: WaitPolicy;
  readonly seedWait?: WaitPolicy;
}

/** Runs `stop_cmd` (a failure means "already down", as in Medusa), then waits until the node is down. */
export async function stopCassandra(ctx: ServiceContext, stopCmd: string): Promise<void> {
  const argv = commandWords('stop_cmd', stopCmd);
  ctx.log.info('Stopping Cassandra');
  const r = await runCommand(argv);
  if (r.code !== 0) ctx.log.debug(`${redactPasswordArgs(argv).join(' ')} exited with ${r.code} (Cassandra is probably already down): ${redactPasswordText(r.output)}`);
  ctx.log.info(`Waiting for Cassandra to go down on ${ctx.host}`);
  const down = await waitUntil(async () => !(await isNodeUp(ctx.host, ctx.ports, ctx.check)), ctx.nodeWait ?? NODE_WAIT, ctx.clock);
  if (!down) throw new OperationError(`Cassandra is still up on ${ctx.host} after ${argv.join(' ')}: nothing was changed`);
  ctx.log.info(`Cassandra is down on ${ctx.host}`);
}

/** Runs `start_cmd`; a non-zero exit is an `OperationError` with the command's output. */
export async function startCassandra(ctx: ServiceContext, startCmd: string): Promise<void> {
  const argv = commandWords('start_cmd', startCmd);
  ctx.log.info('Starting Cassandra');
  const r = await runCommand(argv);
  if (r.code !== 0) throw new OperationError(`${argv.join(' ')} failed with exit code ${r.code}: ${r.output}`);
}

/** Waits until the node answers the health check; `OperationError` when it does not in time. */
export async function waitForCassandraUp(ctx: ServiceContext, host = ctx.host): Promise<void> {
  ctx.log.info(`Waiting for Cassandra to come up on ${host}`);
  if (!(await waitUntil(() => isNodeUp(host, ctx.ports, ctx.check), ctx.nodeWait ?? NODE_WAIT, ctx.clock))) {
    throw new OperationError(`Cassandra did not come up on ${host}`);
  }
  ctx.log.info(`Cassandra is up on ${host}`);
}

/** Waits until any of `seeds` is up (reference §5.1 step 9); `OperationError` when none comes up in time. */
export async function waitForSeeds(ctx: ServiceContext, seeds: readonly string[]): Promise<void> {
  const anyUp = async (): Promise<boolean> => {
    for (const s of seeds) if (await isNodeUp(s, ctx.ports, ctx.check)) return true;
    ctx.log.info('No seeds are up yet, waiting');
    return false;
  };
  if (!(await waitUntil(anyUp, ctx.seedWait ?? SEED_WAIT, ctx.clock))) {
    throw new OperationError(`Gave up waiting for seeds (${seeds.join(', ')}), aborting the restore`);
  }
  ctx.log.info('At least one seed is now up');
}
