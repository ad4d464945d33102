/**
 * `backup` / `backup-node` (reference §4.2): back up this node, in Medusa's order, so that a
 * backup is never reported complete before all of it is stored:
 *
 * 1. refuse an existing backup name (its `meta/schema.cql` exists) before writing anything;
 * 2. read schema, tokenmap and server version; store `meta/schema.cql`, `meta/tokenmap.json`,
 *    `meta/server_version.json` (and `meta/differential`), then the index start entries;
 * 3. `--stagger`; snapshot `medusa-<name>` (or the existing `<name>`); find its files under every
 *    data directory; plan (reference §4.3) and upload;
 * 4. clear the snapshot (always, failure included, unless `--keep-snapshot`);
 * 5. write `meta/manifest.json` LAST, then the index finish entries and `latest_backup`.
 *
 * Data files are stored without a flush each (`durable: false`) and flushed together once, after
 * the last upload and before the manifest: on local storage a flush per file doubled the backup's
 * time, and a crash before that one flush leaves no manifest, so nothing unflushed is ever
 * reported complete.
 *
 * An aborted `signal` stops the backup at the next step, or at once in the middle of its waits, hash
 * checks and uploads: the snapshot is cleared as after any failure, no manifest is written (the
 * check before it is the last one), and it ends with an `OperationAbortedError`. Once the manifest
 * is stored the backup is complete, and it finishes its index entries whatever the signal says.
 *
 * The Cassandra side comes in through ports (`SnapshotPort`, `MetadataPort`), so this runs
 * unchanged against a prepared snapshot folder (benchmarks, tests).
 */
import type { CatalogContext } from '../catalog/catalog.js';
import { setLatestBackup, writeIndexFinish, writeIndexStart } from '../catalog/index-writer.js';
import type { MetadataPort, SnapshotPort } from '../cassandra/types.js';
import { encodeManifestBytes, manifestTotals } from '../domain/manifest.js';
import { encodeServerVersion } from '../domain/server-version.js';
import { encodeTokenMap } from '../domain/tokenmap.js';
import { dataFolder, dataKey, metaKey } from '../layout/keys.js';
import { contentTag, fileIdentity, parseDataRest } from '../layout/pool-keys.js';
import type { BackupMetricEvent, MetricsSink } from '../monitoring/types.js';
import { countPlan, planBackupUploads, StoredObject, type LocalTable, type PoolObject, type TablePlan } from '../plan/backup-plan.js';
import { flushStore, listObjectPages, putText } from '../storage/helpers.js';
import type { HashCache } from '../transfer/hash-cache.js';
import type { ProgressReporter } from '../transfer/progress.js';
import type { Clock } from '../util/clock.js';
import { abortedError, describeError, OperationAbortedError, OperationError, throwIfAborted } from '../util/errors.js';
import { waitForStagger } from './backup-stagger.js';
import { logBackupSummary, type BackupSummary } from './backup-summary.js';
import { runHashChecks, runUploads, type UploadSettings } from './backup-uploads.js';

/** Prefix of the snapshots Medusa takes. */
export const SNAPSHOT_PREFIX = 'medusa-';

export interface BackupNodeOptions {
  readonly backupName: string;
  readonly mode: 'full' | 'differential';
  /** Seconds to wait for the previous node (reference §4.2 step 5). */
  readonly stagger?: number;
  /**
   * `--enable-md5-checks`. Accepted for compatibility; it changes nothing any more: a differential
   * always compares hashes before reusing a stored object (plan/backup-plan.ts).
   */
  readonly checkHashes: boolean;
  readonly keepSnapshot: boolean;
  readonly useExistingSnapshot: boolean;
}

export interface BackupNodeContext extends CatalogContext {
  readonly fqdn: string;
  readonly clock: Clock;
  readonly snapshots: SnapshotPort;
  readonly metadata: MetadataPort;
  readonly concurrentTransfers: number;
  readonly md5CheckConcurrency: number;
  readonly multipartChunksize: number;
  readonly hashCache?: HashCache;
  readonly metrics?: MetricsSink;
  readonly progress?: ProgressReporter;
  /** Epoch ms the command started (stagger deadline, summary); default now. */
  readonly commandStart?: number;
  /**
   * Awaited right before a differential backup lists the node's pool (the objects it may reuse):
   * the CLI waits there for a purge deleting orphans of this node on this host to finish
   * (ops/orphan-cleanup-marker.ts). Its rejection fails the backup.
   */
  readonly beforePoolListing?: () => Promise<void>;
  /** Stops the backup (see the module comment). */
  readonly signal?: AbortSignal;
}

export type BackupNodeResult = BackupSummary;

async function clearSnapshot(ctx: BackupNodeContext, tag: string, failed: boolean): Promise<void> {
  try {
    ctx.log.debug(`Cleaning up Cassandra snapshot ${tag}`);
    await ctx.snapshots.clear(tag);
  } catch (err) {
    ctx.log.warning(`Medusa may have failed at cleaning up snapshot ${tag}${failed ? ' after a failed backup' : ''}: ${describeError(err)}. Check if the snapshot exists and clear it manually.`);
  }
}

/** Step 1: refuse an existing name (clearing a snapshot a crashed run of that name left behind). */
async function refuseExisting(ctx: BackupNodeContext, o: BackupNodeOptions): Promise<void> {
  if (!(await ctx.storage.stat(metaKey(ctx.layout, ctx.fqdn, o.backupName, 'schema.cql')))) return;
  const stale = `${SNAPSHOT_PREFIX}${o.backupName}`;
  if (!o.useExistingSnapshot && (await ctx.snapshots.exists(stale))) {
    ctx.log.warning(`Clearing snapshot ${stale} left by an earlier run of backup ${o.backupName}`);
    await clearSnapshot(ctx, stale, true);
  }
  throw new OperationError(`Backup ${o.backupName} already exists for ${ctx.fqdn}; choose another --backup-name`);
}

/** Step 2: metadata objects, then index start entries. Returns the tokenmap text and start epoch. */
async function writeStart(ctx: BackupNodeContext, o: BackupNodeOptions, differential: boolean) {
  ctx.log.info('Saving tokenmap and schema');
  const meta = await ctx.metadata.read();
  const tokenmapText = encodeTokenMap(meta.tokenmap);
  const put = (file: 'schema.cql' | 'tokenmap.json' | 'server_version.json' | 'differential', text: string) =>
    putText(ctx.storage, metaKey(ctx.layout, ctx.fqdn, o.backupName, file), text);
  const schemaInfo = await put('schema.cql', meta.schema);
  await put('tokenmap.json', tokenmapText);
  ctx.log.info('Saving server version');
  await put('server_version.json', encodeServerVersion(meta.serverVersion));
  if (differential) await put('differential', 'differential');
  const started = Math.floor(schemaInfo.lastModified.getTime() / 1000);
  await writeIndexStart(ctx, { name: o.backupName, fqdn: ctx.fqdn, started, differential, tokenmapText, schemaText: meta.schema });
  return { tokenmap: meta.tokenmap, tokenmapText };
}

async function listPool(ctx: BackupNodeContext, name: string): Promise<PoolObject[]> {
  ctx.log.info(`Listing already backed up files for node ${ctx.fqdn}`);
  const pool: PoolObject[] = [];
  // Pages: one async step per page, not per object (a pool holds up to 100,000s of objects). Only
  // what the plan reads is kept (not the listing's Date per object), in the form a reused object's
  // manifest entry takes.
  for await (const page of listObjectPages(ctx.storage, dataFolder(ctx.layout, ctx.fqdn, name, true))) {
    for (const o of page) pool.push(new StoredObject(o.key, o.size, o.hash));
  }
  return pool;
}

/**
 * How keys of this backup are named and read back (`layout/keys.ts`, `layout/pool-keys.ts`). A
 * file's identity is its plain key: a pool object's plain key is then its own identity, so the
 * plan's index of a 100,000-object pool holds no second string per object (a tagged key's identity
 * is the plain key it derives from).
 */
function keyNaming(ctx: BackupNodeContext, name: string, differential: boolean) {
  const folder = dataFolder(ctx.layout, ctx.fqdn, name, differential);
  const keyOf = (t: { keyspace: string; tableDir: string }, f: { relativePath: string }, tag?: string) =>
    dataKey(ctx.layout, ctx.fqdn, name, differential, t.keyspace, t.tableDir, f.relativePath, tag);
  const identityOfKey = (key: string): string | undefined => {
    if (!key.startsWith(folder)) return undefined;
    const parts = parseDataRest(key.slice(folder.length));
    if (!parts) return undefined;
    return parts.tag === undefined ? key : `${folder}${fileIdentity(parts.keyspace, parts.tableDir, parts.relativePath)}`;
  };
  const identityOfFile = (_t: unknown, _f: unknown, plainKey: string) => plainKey;
  return { keyOf, identityOfKey, identityOfFile, tagOf: contentTag };
}

/**
 * The settled plan of the snapshot's files: the pool listed (differential), first decisions, hash
 * checks. Its own frame, so the listing and the first plan are garbage once it returns, not held
 * through the uploads and the manifest.
 */
async function planCopy(ctx: BackupNodeContext, name: string, differential: boolean, tables: readonly LocalTable[], settings: UploadSettings): Promise<TablePlan[]> {
  const pool = differential ? await listPool(ctx, name) : [];
  const naming = keyNaming(ctx, name, differential);
  const first = planBackupUploads({ tables, differential, pool, ...naming });
  return runHashChecks(first, keysOf(pool), naming, settings);
}

/**
 * The pool's keys, read each time they are iterated (`settleHashChecks` needs them only when a
 * file is not reused, and may be run twice): no array of them.
 */
function keysOf(pool: readonly PoolObject[]): Iterable<string> {
  return {
    *[Symbol.iterator]() {
      for (const p of pool) yield p.key;
    },
  };
}

/** Steps 3-4: snapshot, discovery, plan, uploads; the snapshot is cleared in every path. */
async function copySnapshot(ctx: BackupNodeContext, o: BackupNodeOptions, differential: boolean) {
  const tag = o.useExistingSnapshot ? o.backupName : `${SNAPSHOT_PREFIX}${o.backupName}`;
  let failed = true;
  try {
    if (!o.useExistingSnapshot) {
      if (await ctx.snapshots.exists(tag)) ctx.log.info(`Using the existing snapshot ${tag}`);
      else {
        ctx.log.debug(`Creating snapshot ${tag}`);
        await ctx.snapshots.create(tag);
      }
    }
    const tables = await ctx.snapshots.tables(tag);
    const fileCount = tables.reduce((n, t) => n + t.files.length, 0);
    if (fileCount === 0) {
      throw new OperationError(`snapshot ${tag} holds no files under ${ctx.snapshots.dataDirs.join(', ')}: nothing to back up (is data_file_directories right?)`);
    }
    ctx.log.info(`Snapshot ${tag}: ${fileCount} files in ${tables.length} tables`);
    throwIfAborted(ctx.signal, `Backup ${o.backupName}`);
    if (differential) await ctx.beforePoolListing?.();
    const settings = {
      storage: ctx.storage,
      log: ctx.log,
      concurrentTransfers: ctx.concurrentTransfers,
      md5CheckConcurrency: ctx.md5CheckConcurrency,
      multipartChunksize: ctx.multipartChunksize,
      ...(ctx.hashCache ? { hashCache: ctx.hashCache } : {}),
      ...(ctx.progress ? { progress: ctx.progress } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    };
    const plan = await planCopy(ctx, o.backupName, differential, tables, settings);
    const counts = countPlan(plan);
    ctx.log.info(`Uploading ${counts.upload + counts.reupload} files (${counts.uploadBytes} bytes), keeping ${counts.reuse} already stored`);
    if (counts.reupload > 0) ctx.log.info(`${counts.reupload} files have a name already stored with other content: they go under new keys, the stored objects stay as they are`);
    const sections = await runUploads(plan, settings);
    failed = false;
    return { sections, counts };
  } finally {
    if (o.keepSnapshot) ctx.log.debug(`Keeping snapshot ${tag}`);
    else await clearSnapshot(ctx, tag, failed);
  }
}

/** Runs the backup; see the module comment. Throws `OperationError`s (exit 1) on failure. */
export async function backupNode(ctx: BackupNodeContext, o: BackupNodeOptions): Promise<BackupNodeResult> {
  const started = ctx.commandStart ?? ctx.clock.now();
  const differential = o.mode === 'differential';
  const what = `Backup ${o.backupName}`;
  try {
    throwIfAborted(ctx.signal, what);
    await refuseExisting(ctx, o);
    if (o.useExistingSnapshot && !(await ctx.snapshots.exists(o.backupName))) {
      throw new OperationError(`Snapshot ${o.backupName} does not exist and --use-existing-snapshot is set. Please create the snapshot first.`);
    }
    ctx.log.info(`Starting backup using Stagger: ${o.stagger ?? 'None'} Mode: ${o.mode} Name: ${o.backupName}`);
    const { tokenmap, tokenmapText } = await writeStart(ctx, o, differential);
    throwIfAborted(ctx.signal, what);
    if (o.stagger) await waitForStagger(ctx, ctx.fqdn, tokenmap, started + o.stagger * 1000);
    throwIfAborted(ctx.signal, what);
    const extractStarted = ctx.clock.now();
    const { sections, counts } = await copySnapshot(ctx, o, differential);

    await flushStore(ctx.storage);
    // The last point to stop: past it the manifest makes the backup complete.
    throwIfAborted(ctx.signal, what);
    ctx.log.info('Updating backup index');
    const manifestText = encodeManifestBytes(sections);
    const manifestInfo = await putText(ctx.storage, metaKey(ctx.layout, ctx.fqdn, o.backupName, 'manifest.json'), manifestText);
    const finishedEpoch = Math.floor(manifestInfo.lastModified.getTime() / 1000);
    await writeIndexFinish(ctx, { name: o.backupName, fqdn: ctx.fqdn, finished: finishedEpoch, manifestText });
    await setLatestBackup(ctx, { name: o.backupName, fqdn: ctx.fqdn, tokenmapText });

    const summary: BackupSummary = {
      name: o.backupName,
      differential,
      started,
      extractStarted,
      finished: ctx.clock.now(),
      uploaded: counts.upload + counts.reupload,
      replaced: counts.reupload,
      kept: counts.reuse,
      totalSize: manifestTotals(sections).size,
      uploadedBytes: counts.uploadBytes,
      keptBytes: counts.reuseBytes,
    };
    logBackupSummary(ctx.log, summary);
    await sendMetrics(ctx, o.backupName, summary);
    await ctx.metrics?.record?.(backupEvent(ctx, o, started, summary));
    return summary;
  } catch (err) {
    await ctx.metrics?.send(['medusa-node-backup', 'backup-error', o.backupName], 1).catch(() => undefined);
    await ctx.metrics?.record?.(backupEvent(ctx, o, started, undefined));
    // Whatever an abort interrupted (an upload, a wait) failed because of it: say so.
    if (ctx.signal?.aborted && !(err instanceof OperationAbortedError)) throw abortedError(ctx.signal, what);
    throw err;
  }
}

/** The metrics event of this backup; `summary` undefined = it failed. */
function backupEvent(ctx: BackupNodeContext, o: BackupNodeOptions, started: number, summary: BackupSummary | undefined): BackupMetricEvent {
  const base = { kind: 'backup', fqdn: ctx.fqdn, mode: o.mode, backupName: o.backupName, started } as const;
  if (!summary) return { ...base, finished: ctx.clock.now(), ok: false };
  return {
    ...base,
    finished: summary.finished,
    ok: true,
    figures: {
      uploadedFiles: summary.uploaded,
      uploadedBytes: summary.uploadedBytes,
      reusedFiles: summary.kept,
      reusedBytes: summary.keptBytes,
      totalFiles: summary.uploaded + summary.kept,
      totalBytes: summary.totalSize,
    },
  };
}

async function sendMetrics(ctx: BackupNodeContext, name: string, s: BackupSummary): Promise<void> {
  if (!ctx.metrics) return;
  ctx.log.debug('Emitting metrics');
  await ctx.metrics.send(['medusa-node-backup', 'backup-duration', name], (s.finished - s.extractStarted) / 1000);
  await ctx.metrics.send(['medusa-node-backup', 'backup-size', name], s.totalSize);
  await ctx.metrics.send(['medusa-node-backup', 'backup-error', name], 0);
}
