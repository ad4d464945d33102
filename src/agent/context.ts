/**
 * What every rpc handler of the agent works with: the configuration (re-read between requests),
 * the backups this process runs, this host's backup locks, time and the log.
 */
import type { LockView } from '../plan/stale-snapshots.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { BackupRuns } from './backup-runs.js';
import type { ConfigSource } from './config-source.js';

export interface AgentContext {
  readonly configs: ConfigSource;
  readonly runs: BackupRuns;
  /** The backup locks of this host (ops/backup-lock.ts), with their liveness. */
  readonly readLocks: () => Promise<readonly LockView[]>;
  readonly clock: Clock;
  readonly log: Logger;
}
