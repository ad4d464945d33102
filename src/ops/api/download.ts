/**
 * Entry point of `medusa download`: one node backup's files (this node's, `[storage] fqdn`) into
 * an existing folder, every file checked, Cassandra untouched.
 */
import type { RestoreFilter } from '../../plan/restore-filter.js';
import { downloadBackup, type DownloadBackupResult } from '../download-backup.js';
import type { RunOptions, Session } from './session.js';

export type { DownloadBackupResult } from '../download-backup.js';
export type { DownloadSummary } from '../download.js';
export type { RestoreFilter } from '../../plan/restore-filter.js';

/** What a face asks of a download. */
export interface DownloadRequest {
  readonly backupName: string;
  /** An existing folder. */
  readonly destination: string;
  readonly filter: RestoreFilter;
}

/**
 * Downloads the backup; a rerun keeps the files an interrupted one already fetched and checked.
 * `run.signal` stops the transfers (`OperationAbortedError`), the checked files kept.
 */
export function runDownload(session: Session, request: DownloadRequest, run: RunOptions = {}): Promise<DownloadBackupResult> {
  return downloadBackup(
    {
      storage: session.storage,
      layout: session.layout,
      log: session.log,
      storageConfig: session.config.storage,
      clock: session.clock,
      ...(run.progress ? { progress: run.progress } : {}),
      ...(run.signal ? { signal: run.signal } : {}),
    },
    { ...request, fqdn: session.config.storage.fqdn },
  );
}
