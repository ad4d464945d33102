/**
 * Ending processes the harness started, by pid only. A pid is only signalled after checking it is
 * still the process we mean (its command line contains a marker), so a recycled pid is never hit.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** The NUL-separated arguments of a live process, or undefined when it is gone (or a zombie). */
export function processArgs(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw === '' ? undefined : raw.split('\0').filter((a) => a !== '');
  } catch {
    return undefined;
  }
}

/** True when `pid` is alive and, if `marker` is given, one of its arguments contains it. */
export function isProcessAlive(pid: number, marker?: string): boolean {
  const args = processArgs(pid);
  return args !== undefined && (marker === undefined || args.some((a) => a.includes(marker)));
}

/** Reads a pid file; undefined when missing or not a number. */
export function readPidFile(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sends SIGTERM, waits up to `graceMs`, then SIGKILL, and resolves once the process is gone.
 * A process that is already gone (or no longer carries `marker`) is left alone.
 */
export async function terminateProcess(pid: number, options: { marker?: string; graceMs?: number } = {}): Promise<void> {
  const alive = (): boolean => isProcessAlive(pid, options.marker);
  if (!alive()) return;
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + (options.graceMs ?? 10_000);
  while (alive() && Date.now() < deadline) await sleep(100);
  if (!alive()) return;
  signal(pid, 'SIGKILL');
  const killDeadline = Date.now() + 10_000;
  while (alive()) {
    if (Date.now() > killDeadline) throw new Error(`process ${pid} survived SIGKILL for 10 s`);
    await sleep(50);
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}
