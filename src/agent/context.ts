/**
 * What every rpc handler of the agent works with: the sessions (configuration re-read between
 * requests), the backups this process runs, time and the log.
 */
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { BackupRuns } from './backup-runs.js';
import type { ConfigSource } from './config-source.js';

export interface AgentContext {
  readonly configs: ConfigSource;
  readonly runs: BackupRuns;
  readonly clock: Clock;
  readonly log: Logger;
  /** Where PrepareRestore writes its mapping files. */
  readonly restoreMappingDir: string;
}
