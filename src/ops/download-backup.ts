/**
 * `medusa download` (reference §5.5): one node backup's files into an existing folder, no Cassandra
 * involved, with the checks of the download engine, then the backup's `manifest.json`,
 * `schema.cql` and `tokenmap.json` at the top of the folder, as Medusa leaves them.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CatalogContext } from '../catalog/catalog.js';
import type { StorageSection } from '../config/types.js';
import { metaKey, type MetaFile } from '../layout/keys.js';
import { filterProblems, type RestoreFilter } from '../plan/restore-filter.js';
import { planRestore, UnsafeManifestError, type RestorePlan } from '../plan/restore-plan.js';
import { downloadFile } from '../storage/helpers.js';
import type { ProgressReporter } from '../transfer/progress.js';
import type { Clock } from '../util/clock.js';
import { OperationError, throwIfAborted, UsageError } from '../util/errors.js';
import { bytesStillNeeded, downloadTables, freeBytes, type DownloadContext, type DownloadSummary } from './download.js';
import { readRestoreSource, type RestoreSource } from './restore-source.js';

/** The metadata files Medusa puts at the top of a download folder. */
const META_FILES: readonly MetaFile[] = ['manifest.json', 'schema.cql', 'tokenmap.json'];

export interface DownloadBackupRequest {
  readonly backupName: string;
  /** Existing folder. */
  readonly destination: string;
  readonly filter: RestoreFilter;
  /** Whose backup: `[storage] fqdn`. */
  readonly fqdn: string;
}

export interface DownloadBackupContext extends CatalogContext {
  readonly storageConfig: Pick<StorageSection, 'concurrent_transfers' | 'multipart_chunksize'>;
  readonly clock: Clock;
  readonly progress?: ProgressReporter;
  /** Stops the transfers; the download then ends with an `OperationAbortedError`, the files already checked kept for a rerun. */
  readonly signal?: AbortSignal;
}

export interface DownloadBackupResult {
  readonly plan: RestorePlan;
  readonly summary: DownloadSummary;
}

/** Bytes with a binary unit, for messages. */
function formatBytesPlain(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Refuses the manifest problems of a plan as an operation error (exit 1), naming every problem. */
export function planOrRefuse(source: RestoreSource, ctx: CatalogContext, build: () => RestorePlan): RestorePlan {
  try {
    return build();
  } catch (err) {
    if (err instanceof UnsafeManifestError) throw new OperationError(`Backup ${source.backupName} of ${source.fqdn}: ${err.message}`);
    throw err;
  }
}

/** Throws `OperationError` when `root`'s file system has less than `needed` bytes free. */
export async function checkFreeSpace(root: string, needed: number, hint: string): Promise<void> {
  const free = await freeBytes(root);
  if (needed > free) {
    throw new OperationError(`Not enough space available in ${root}: the download needs ${formatBytesPlain(needed)}, ${formatBytesPlain(free)} are free (missing ${formatBytesPlain(needed - free)}). ${hint}`);
  }
}

/** Downloads the backup's metadata files into `root`. */
export async function downloadMetaFiles(ctx: CatalogContext, source: Pick<RestoreSource, 'fqdn' | 'backupName'>, root: string): Promise<void> {
  for (const file of META_FILES) {
    const key = metaKey(ctx.layout, source.fqdn, source.backupName, file);
    await downloadFile(ctx.storage, key, join(root, file)).catch((err: unknown) => {
      throw new OperationError(`Download of ${key} failed: ${err instanceof Error ? err.message : String(err)}`);
    });
  }
}

/** Runs `medusa download`. */
export async function downloadBackup(ctx: DownloadBackupContext, request: DownloadBackupRequest): Promise<DownloadBackupResult> {
  const problems = filterProblems(request.filter);
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  const isDir = await stat(request.destination).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new OperationError(`${request.destination} is not a directory`);
  const source = await readRestoreSource(ctx, request.fqdn, request.backupName);
  const plan = planOrRefuse(source, ctx, () => planRestore(source.manifest, source.manifestKey, ctx.layout, request.filter, { kind: 'download' }));
  for (const name of plan.ignored) ctx.log.info(`Skipping download of ${name}`);
  const needed = await bytesStillNeeded(request.destination, plan.tables);
  await checkFreeSpace(request.destination, needed, 'Point --download-destination to a folder with enough space.');
  const engine: DownloadContext = { storage: ctx.storage, log: ctx.log, clock: ctx.clock };
  const summary = await downloadTables(engine, plan.tables, request.destination, {
    concurrency: ctx.storageConfig.concurrent_transfers,
    partSize: ctx.storageConfig.multipart_chunksize,
    ...(ctx.progress ? { progress: ctx.progress } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  throwIfAborted(ctx.signal, `Download of ${request.backupName}`);
  ctx.log.info('Downloading backup metadata...');
  await downloadMetaFiles(ctx, source, request.destination);
  return { plan, summary };
}
