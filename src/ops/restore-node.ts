/**
 * `restore-node` (reference §5.1-5.3; design §3 "safe, resumable restore"):
 * - copy mode: plan (unsafe manifests refused) → stage and download, every file checked → only
 *   then stop Cassandra, empty the commitlog, swap the selected table directories, pin the tokens
 *   for a remote restore, wait for `--seeds`, start, optionally verify. A failed or short download
 *   stops before Cassandra is touched, and the staged files are kept for the next run;
 * - sstableloader mode: Cassandra keeps running; for each fqdn of the comma list each downloaded
 *   table is streamed in with sstableloader (system keyspaces never).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CatalogContext } from '../catalog/catalog.js';
import { readCassandraYaml, type CassandraYaml } from '../cassandra/cassandra-yaml.js';
import { cqlSettingsFor, type CqlSettings } from '../cassandra/cql-session.js';
import { startCassandra, stopCassandra, waitForSeeds, type ServiceContext, type WaitPolicy } from '../cassandra/service.js';
import { loadTable } from '../cassandra/sstableloader.js';
import { pinTokensInYamlFile } from '../cassandra/yaml-rewrite.js';
import type { MedusaConfig } from '../config/types.js';
import { filterProblems, type RestoreFilter } from '../plan/restore-filter.js';
import { planRestore, type RestoreMode, type RestorePlan } from '../plan/restore-plan.js';
import type { ProgressReporter } from '../transfer/progress.js';
import type { Clock } from '../util/clock.js';
import { OperationError, throwIfAborted, UsageError } from '../util/errors.js';
import { checkFreeSpace, planOrRefuse } from './download-backup.js';
import { downloadTables, bytesStillNeeded, type DownloadSummary } from './download.js';
import { restoreFilesFor, type RestoreFiles } from './restore-files.js';
import { readRestoreSource, readRestoreTokenMap, type RestoreSource } from './restore-source.js';
import { chooseStaging, stagingName } from './restore-staging.js';
import { swapTables } from './restore-swap.js';
import { verifyRestore } from './restore-verify.js';

/** What the command line asks for. */
export interface RestoreNodeRequest {
  readonly backupName: string;
  readonly inPlace: boolean;
  readonly keepAuth: boolean;
  /** `--seeds`, split on commas; empty = do not wait. */
  readonly seeds: readonly string[];
  readonly verify: boolean;
  readonly filter: RestoreFilter;
  readonly useSstableloader: boolean;
  readonly tempDir: string;
  /** `--version-target`: accepted for compatibility; ports come from cassandra.yaml. */
  readonly versionTarget: string;
}

/** What a restore runs with; tests replace the optional parts. */
export interface RestoreNodeContext extends CatalogContext {
  readonly config: Readonly<MedusaConfig>;
  readonly clock: Clock;
  readonly progress?: ProgressReporter;
  /**
   * Stops the restore while it downloads (the files already checked are kept for a rerun) or
   * before it stops Cassandra; once Cassandra is stopped the restore runs to its end.
   */
  readonly signal?: AbortSignal;
  /** Default: read from `[cassandra] config_file`. */
  readonly yaml?: CassandraYaml;
  /** Default: direct, or through sudo per `use_sudo_for_restore`. */
  readonly files?: RestoreFiles;
  readonly nodeWait?: WaitPolicy;
  readonly seedWait?: WaitPolicy;
}

/** What a restore did, per source node. */
export interface RestoreNodeResult {
  readonly restored: ReadonlyArray<{ readonly fqdn: string; readonly plan: RestorePlan; readonly download?: DownloadSummary }>;
}

function logPlan(ctx: RestoreNodeContext, plan: RestorePlan): void {
  for (const name of plan.ignored) ctx.log.info(`Skipping restore of ${name}`);
}

async function download(ctx: RestoreNodeContext, plan: RestorePlan, dir: string): Promise<DownloadSummary> {
  ctx.log.info(`Downloading data from backup to ${dir}`);
  const summary = await downloadTables({ storage: ctx.storage, log: ctx.log, clock: ctx.clock }, plan.tables, dir, {
    concurrency: ctx.config.storage.concurrent_transfers,
    partSize: ctx.config.storage.multipart_chunksize,
    ...(ctx.progress ? { progress: ctx.progress } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  ctx.log.info(`Downloaded ${summary.filesDownloaded} files (${summary.bytesDownloaded} bytes); ${summary.filesKept} files (${summary.bytesKept} bytes) were already there`);
  return summary;
}

function serviceContext(ctx: RestoreNodeContext, yaml: CassandraYaml, cql: CqlSettings): ServiceContext {
  return {
    host: cql.host,
    ports: { nativePort: yaml.nativePort, storagePort: yaml.storagePort, rpcPort: yaml.rpcPort },
    check: ctx.config.checks.health_check,
    clock: ctx.clock,
    log: ctx.log,
    ...(ctx.nodeWait ? { nodeWait: ctx.nodeWait } : {}),
    ...(ctx.seedWait ? { seedWait: ctx.seedWait } : {}),
  };
}

function plan(ctx: RestoreNodeContext, source: RestoreSource, filter: RestoreFilter, mode: RestoreMode): RestorePlan {
  return planOrRefuse(source, ctx, () => planRestore(source.manifest, source.manifestKey, ctx.layout, filter, mode));
}

/** The tokens to pin for a remote restore: the source node's, from the backup's tokenmap, in its order. */
async function tokensFor(ctx: RestoreNodeContext, source: RestoreSource): Promise<string[]> {
  const tokenmap = await readRestoreTokenMap(ctx, source);
  const host = tokenmap.get(source.fqdn);
  if (!host || host.tokens.length === 0) throw new OperationError(`The tokenmap of backup ${source.backupName} has no tokens for ${source.fqdn}`);
  return host.tokens.map((t) => t.toString());
}

async function restoreCopy(ctx: RestoreNodeContext, request: RestoreNodeRequest, fqdn: string, yaml: CassandraYaml): Promise<RestoreNodeResult> {
  const source = await readRestoreSource(ctx, fqdn, request.backupName);
  const p = plan(ctx, source, request.filter, { kind: 'copy', inPlace: request.inPlace, keepAuth: request.keepAuth });
  logPlan(ctx, p);
  if (p.tables.length === 0) {
    ctx.log.info('There is nothing to restore');
    return { restored: [{ fqdn, plan: p }] };
  }
  // Everything that can fail without touching the node is done first.
  const tokens = request.inPlace ? undefined : await tokensFor(ctx, source);
  const k8s = ctx.config.kubernetes.enabled;
  const cql = await cqlSettingsFor(ctx.config, yaml);
  const service = serviceContext(ctx, yaml, cql);
  const files = ctx.files ?? restoreFilesFor(ctx.config.storage.use_sudo_for_restore && !k8s);
  const staging = await chooseStaging(yaml.dataFileDirectories, request.tempDir, fqdn, request.backupName, p.tables, ctx.log);
  const summary = await download(ctx, p, staging.dir);

  // The last point to stop: past it the node is taken down and its data swapped.
  throwIfAborted(ctx.signal, `Restore of ${request.backupName}`);
  if (!k8s) await stopCassandra(service, ctx.config.cassandra.stop_cmd);
  await swapTables(files, ctx.log, {
    tables: p.tables,
    stagingDir: staging.dir,
    dataDirs: yaml.dataFileDirectories,
    targetDataDir: staging.dataDir,
    commitlogDir: yaml.commitlogDirectory,
  });
  if (tokens) {
    ctx.log.info(`Pinning the ${tokens.length} tokens of ${fqdn} in ${ctx.config.cassandra.config_file}`);
    await pinTokensInYamlFile(ctx.config.cassandra.config_file, tokens);
  }
  if (!k8s) {
    if (request.seeds.length > 0) await waitForSeeds(service, request.seeds);
    else ctx.log.info('No --seeds specified so we will not wait for any');
    await startCassandra(service, ctx.config.cassandra.start_cmd);
  }
  await rm(staging.dir, { recursive: true, force: true });
  if (request.verify) await verifyRestore(service, ctx.config.checks, cql);
  return { restored: [{ fqdn, plan: p, download: summary }] };
}

async function restoreWithLoader(ctx: RestoreNodeContext, request: RestoreNodeRequest, fqdns: readonly string[], yaml: CassandraYaml): Promise<RestoreNodeResult> {
  const cql = await cqlSettingsFor(ctx.config, yaml);
  const restored: Array<RestoreNodeResult['restored'][number]> = [];
  // Every source is planned before anything is downloaded, so an unsafe manifest stops the whole run.
  const sources = await Promise.all(fqdns.map((fqdn) => readRestoreSource(ctx, fqdn, request.backupName)));
  const plans = sources.map((s) => plan(ctx, s, request.filter, { kind: 'sstableloader', keepAuth: request.keepAuth }));
  for (const [i, source] of sources.entries()) {
    const p = plans[i]!;
    logPlan(ctx, p);
    const dir = join(request.tempDir, stagingName(source.fqdn, request.backupName, false));
    await checkFreeSpace(request.tempDir, await bytesStillNeeded(dir, p.tables), 'Add --temp-dir pointing to a folder with enough space.');
    const summary = await download(ctx, p, dir);
    throwIfAborted(ctx.signal, `Restore of ${request.backupName}`);
    for (const table of p.tables) {
      if (table.action !== 'restore') continue;
      const name = `${table.keyspace}.${table.tableDir}`;
      ctx.log.info(`Loading ${name} with sstableloader`);
      const output = await loadTable(ctx.config.cassandra, cql.host, yaml, join(dir, table.keyspace, table.tableDir), name);
      for (const line of output.split('\n')) if (line !== '') ctx.log.debug(line);
    }
    ctx.log.info(`Finished loading backup from ${source.fqdn}`);
    await rm(dir, { recursive: true, force: true });
    restored.push({ fqdn: source.fqdn, plan: p, download: summary });
  }
  if (request.verify) await verifyRestore(serviceContext(ctx, yaml, cql), ctx.config.checks, cql);
  return { restored };
}

/** Runs `restore-node`. */
export async function restoreNode(ctx: RestoreNodeContext, request: RestoreNodeRequest): Promise<RestoreNodeResult> {
  if (request.inPlace && request.keepAuth) throw new UsageError('Cannot keep system_auth when restoring in-place. It would be overwritten');
  const problems = filterProblems(request.filter);
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  const fqdns = ctx.config.storage.fqdn.split(',').map((f) => f.trim()).filter((f) => f !== '');
  if (fqdns.length === 0) throw new UsageError('no fqdn to restore');
  if (fqdns.length > 1 && !request.useSstableloader) throw new UsageError(`--fqdn ${ctx.config.storage.fqdn}: several source nodes need --use-sstableloader`);
  ctx.log.debug(`Target version ${request.versionTarget} (ports are read from cassandra.yaml)`);
  const yaml = ctx.yaml ?? (await readCassandraYaml(ctx.config.cassandra.config_file));
  if (request.useSstableloader) return restoreWithLoader(ctx, request, fqdns, yaml);
  return restoreCopy(ctx, request, fqdns[0]!, yaml);
}
