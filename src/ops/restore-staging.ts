/**
 * Where a copy-mode restore downloads before the swap (design §3): on a data directory's own file
 * system when it has room, so the swap is a rename and the disk is not needed twice; else in
 * `--temp-dir`, as Medusa. The folder name is fixed per node and backup
 * (`.medusa-restore-<fqdn>-<backup>`), so a run after an interrupted one finds what already arrived.
 *
 * On a data directory's file system the folder goes beside the data directory (its parent, e.g.
 * `/var/lib/cassandra`), never among the keyspace folders Cassandra scans, unless the data
 * directory is itself a mount point; then inside it, under a name no keyspace can have.
 */
import { mkdir, rmdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PlannedTable } from '../plan/restore-plan.js';
import { OperationError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { bytesStillNeeded, freeBytes } from './download.js';

/** The chosen staging folder. */
export interface Staging {
  readonly dir: string;
  /** The data directory the staged tables move into (the one sharing the staging file system). */
  readonly dataDir: string;
  /** Bytes still to download into it. */
  readonly needed: number;
  /** True when staged in `--temp-dir` (the swap then copies across file systems). */
  readonly inTempDir: boolean;
}

/** Staging folder name for `fqdn`'s backup `backupName` (both checked path segments). */
export function stagingName(fqdn: string, backupName: string, hidden: boolean): string {
  return `${hidden ? '.' : ''}medusa-restore-${fqdn}-${backupName}`;
}

async function deviceOf(path: string): Promise<number | undefined> {
  return stat(path).then((s) => s.dev, () => undefined);
}

/** The staging folder on `dataDir`'s file system. */
async function onDataFs(dataDir: string, name: string): Promise<string | undefined> {
  const dev = await deviceOf(dataDir);
  if (dev === undefined) return undefined;
  const parent = dirname(dataDir);
  return (await deviceOf(parent)) === dev && parent !== dataDir ? join(parent, name) : join(dataDir, name);
}

/** Creates `dir` if possible; false when this process may not write there (a sudo restore). */
async function tryCreate(dir: string): Promise<boolean> {
  try {
    await mkdir(dir, { recursive: true });
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return false;
    throw err;
  }
}

/**
 * Picks the staging folder for `tables` (see the module comment) and creates it. Throws
 * `OperationError` when neither a data directory's file system nor `tempDir` has room.
 */
export async function chooseStaging(dataDirs: readonly string[], tempDir: string, fqdn: string, backupName: string, tables: readonly PlannedTable[], log: Logger): Promise<Staging> {
  for (const dataDir of dataDirs) {
    const dir = await onDataFs(dataDir, stagingName(fqdn, backupName, true));
    if (dir === undefined || !(await tryCreate(dir))) continue;
    const needed = await bytesStillNeeded(dir, tables);
    const free = await freeBytes(dir);
    if (needed <= free) return { dir, dataDir, needed, inTempDir: false };
    log.info(`Not enough room beside ${dataDir} (${needed} bytes needed, ${free} free): trying the next place`);
    await rmdir(dir).catch(() => undefined);
  }
  const dir = join(tempDir, stagingName(fqdn, backupName, false));
  await mkdir(dir, { recursive: true });
  const needed = await bytesStillNeeded(dir, tables);
  const free = await freeBytes(dir);
  if (needed > free) {
    throw new OperationError(
      `Not enough space available to download the backup: ${needed} bytes needed, ${free} free in ${tempDir} and not enough beside the data directories. Add --temp-dir pointing to a folder with enough space.`,
    );
  }
  const first = dataDirs[0];
  if (first === undefined) throw new OperationError('cassandra.yaml names no data directory');
  return { dir, dataDir: first, needed, inTempDir: true };
}
