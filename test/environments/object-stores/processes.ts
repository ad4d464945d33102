/**
 * Small process and readiness helpers for the object-store test servers: start a daemon with its
 * output in a log file, wait for a condition with a bounded deadline (no fixed sleeps), stop by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync, existsSync } from 'node:fs';

/** A free TCP port on 127.0.0.1, below the kernel's ephemeral range (`harness/free-ports.ts` says why). */
export { freePort } from '../../harness/free-ports.js';

/** A running daemon started by {@link startDaemon}. */
export interface Daemon {
  readonly name: string;
  readonly process: ChildProcess;
  readonly logFile: string;
  /** Set once the process has exited (so readiness waits can fail at once instead of timing out). */
  exited(): boolean;
}

/** Starts `command args` with stdout and stderr appended to `logFile`. */
export function startDaemon(name: string, command: string, args: readonly string[], logFile: string, env?: NodeJS.ProcessEnv): Daemon {
  const fd = openSync(logFile, 'a');
  let hasExited = false;
  try {
    const child = spawn(command, args, { stdio: ['ignore', fd, fd], env: env ?? process.env });
    child.on('exit', () => (hasExited = true));
    child.on('error', () => (hasExited = true));
    return { name, process: child, logFile, exited: () => hasExited };
  } finally {
    closeSync(fd);
  }
}

/** The last lines of a log file, for failure messages. */
export function logTail(file: string, lines = 20): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Polls `check` every 200 ms until it resolves true; rejects with a message naming `what` after
 * `timeoutMs`, or at once when `daemon` has exited (with the tail of its log).
 */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, daemon?: Daemon): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (daemon?.exited()) throw new Error(`${what}: ${daemon.name} exited during startup; log:\n${logTail(daemon.logFile)}`);
    if (await check().catch(() => false)) return;
    if (Date.now() >= deadline) {
      const tail = daemon ? `; log:\n${logTail(daemon.logFile)}` : '';
      throw new Error(`${what}: not ready after ${Math.round(timeoutMs / 1000)} s${tail}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** True when an HTTP GET of `url` gets any response (the server is accepting requests). */
export async function httpResponds(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

/** Stops a daemon: SIGTERM, up to `graceMs` to exit, then SIGKILL. Safe to call twice. */
export async function stopDaemon(daemon: Daemon | undefined, graceMs = 10_000): Promise<void> {
  if (!daemon || daemon.exited()) return;
  const child = daemon.process;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

/** Runs a command to completion; resolves with its output, rejects with it on a non-zero exit. */
export function run(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${command}: ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${output.trimEnd().split('\n').slice(-30).join('\n')}`));
    });
  });
}
