/**
 * The swap step of a copy-mode restore (reference §5.1 steps 6-7), run only once every file has
 * arrived and been checked and Cassandra is down:
 * - the commitlog folder is emptied (kept);
 * - each planned table directory is removed from every data directory (JBOD: a table may have
 *   files on several), then for `restore` the staged directory moves into the staging's data
 *   directory and is given to the data directory's owner; `keep` tables are not touched at all;
 * - tables on disk but absent from the manifest are left alone.
 * Each failure names the table and the step.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PlannedTable } from '../plan/restore-plan.js';
import { describeError, OperationError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { RestoreFiles } from './restore-files.js';

export interface SwapRequest {
  readonly tables: readonly PlannedTable[];
  /** Where the `restore` tables were downloaded (`<staging>/<keyspace>/<table dir>`). */
  readonly stagingDir: string;
  /** Every data directory (JBOD), and the one receiving restored tables. */
  readonly dataDirs: readonly string[];
  readonly targetDataDir: string;
  readonly commitlogDir: string;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** Runs the swap. */
export async function swapTables(files: RestoreFiles, log: Logger, request: SwapRequest): Promise<void> {
  if (await exists(request.commitlogDir)) {
    log.info(`Emptying the commitlog folder ${request.commitlogDir}`);
    await files.emptyFolder(request.commitlogDir).catch((err: unknown) => {
      throw new OperationError(`Cannot empty the commitlog folder ${request.commitlogDir}: ${describeError(err)}`);
    });
  }
  const owner = await stat(request.targetDataDir);
  log.info('Moving backup data to Cassandra data directory');
  for (const table of request.tables) {
    const name = `${table.keyspace}.${table.tableDir}`;
    if (table.action === 'keep') {
      log.info(`Keeping ${name} untouched (${table.reason})`);
      continue;
    }
    let step = 'removing the live table directory';
    try {
      for (const dataDir of request.dataDirs) {
        const live = join(dataDir, table.keyspace, table.tableDir);
        if (await exists(live)) await files.removeTree(live);
      }
      const keyspaceDir = join(request.targetDataDir, table.keyspace);
      step = `creating ${keyspaceDir}`;
      if (!(await exists(keyspaceDir))) {
        await files.makeDir(keyspaceDir);
        await files.chownTree(keyspaceDir, owner.uid, owner.gid);
      }
      if (table.action !== 'restore') {
        log.debug(`Not restoring ${name}: ${table.reason}`);
        continue;
      }
      const target = join(keyspaceDir, table.tableDir);
      step = `moving the downloaded files into ${target}`;
      await files.move(join(request.stagingDir, table.keyspace, table.tableDir), target);
      step = `giving ${target} to ${owner.uid}:${owner.gid}`;
      await files.chownTree(target, owner.uid, owner.gid);
    } catch (err) {
      throw new OperationError(`Restore of ${name} failed while ${step}: ${describeError(err)}`);
    }
  }
}
