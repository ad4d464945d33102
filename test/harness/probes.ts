/**
 * Readiness checks: bounded polling with a message that says what was waited for, and a TCP probe.
 * Tests wait on these instead of sleeping.
 */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** True when something accepts a TCP connection on host:port within `timeoutMs`. */
export function tcpAnswers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Calls `check` every `intervalMs` until it returns true; rejects after `timeoutMs` with
 * "timed out after N s waiting for <what>" plus whatever `diagnose` adds. An error thrown by
 * `check` ends the wait at once (for example: the process being waited for has died).
 */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  options: { timeoutMs: number; intervalMs?: number; diagnose?: () => string },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) {
      const extra = options.diagnose?.() ?? '';
      throw new Error(`timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${what}${extra ? `\n${extra}` : ''}`);
    }
    await sleep(options.intervalMs ?? 500);
  }
}
