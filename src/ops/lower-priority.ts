/**
 * Gives Cassandra priority over the backup (reference §4.2 step 1): CPU nice 19 and, where the
 * `ionice` tool exists, the idle I/O class, best effort. Never fails the backup.
 */
import { spawnSync } from 'node:child_process';
import { setPriority } from 'node:os';
import type { Logger } from '../util/logger.js';

/** Lowers this process's CPU and I/O priority; logs what could not be done. */
export function lowerOwnPriority(log: Logger): void {
  try {
    setPriority(19);
  } catch (err) {
    log.warning(`Throttling backup impossible: cannot lower CPU priority (${err instanceof Error ? err.message : String(err)})`);
  }
  const r = spawnSync('ionice', ['-c', '3', '-p', String(process.pid)], { stdio: 'ignore', timeout: 5000 });
  if (r.error || r.status !== 0) log.debug('ionice is not available or refused the idle I/O class; only the CPU priority was lowered');
  else log.debug(`Process ${process.pid} was set to use only idle IO and CPU resources`);
}
