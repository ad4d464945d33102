/**
 * `medusa restore-cluster` (reference §5.4, design §2.2): find the backup (refusing an incomplete
 * one unless `bypassChecks`), map backup hosts onto target hosts (restore-mapping.ts), show the
 * mapping to the face and ask it, then either
 * - copy mode: stop Cassandra on every target, run `medusa restore-node` on the seeds first and,
 *   once they are back, on the other targets (`--seeds` = the seed targets), or
 * - sstableloader mode: recreate the schema on the seed, then `restore-node --use-sstableloader`
 *   on every target with its list of sources.
 * Returns which hosts were restored, failed (why, log) and not attempted; any host not restored
 * makes it a `RestoreClusterFailedError` (exit 1) carrying that same result, for the face to show.
 */
import { hostname } from 'node:os';
import type { CatalogContext } from '../catalog/catalog.js';
import type { ClusterBackup } from '../domain/backups.js';
import type { TokenMap } from '../domain/tokenmap.js';
import { metaKey } from '../layout/keys.js';
import type { MetricsSink } from '../monitoring/types.js';
import { mapFromHostList, mapFromTopology, parseHostList, unmappedSources, type RestoreMapping } from '../plan/restore-mapping.js';
import { schemaRecreateStatements } from '../plan/schema-recreate.js';
import { describeFailures, runStep, type HostOutcome, type JobOptions } from '../remote/job.js';
import type { RemoteExecutor } from '../remote/types.js';
import type { ProgressReporter } from '../transfer/progress.js';
import { getText } from '../storage/helpers.js';
import type { Clock } from '../util/clock.js';
import { describeError, OperationError, throwIfAborted, UsageError } from '../util/errors.js';
import { redactPasswordText } from '../util/redact-password.js';
import { findClusterBackup } from './find-backup.js';
import { createJobDir, hostStates, medusaCommandLine, type RemoteMedusa } from './cluster-job.js';

/** Ports and settings of a cluster restore. */
export interface RestoreClusterContext extends CatalogContext {
  readonly executor: RemoteExecutor;
  /** Target tokenmap over CQL on `seed`. */
  readonly readTopology: (seed: string) => Promise<TokenMap>;
  /** Target hosts that are seeds, named as tokenmap keys (from the local cassandra.yaml). */
  readonly seeds: () => Promise<ReadonlySet<string>>;
  /** Runs CQL statements, in order, on `host` (schema recreation). */
  readonly executeCql: (host: string, statements: readonly string[]) => Promise<void>;
  /** Reads a host-list file. */
  readonly readHostList: (path: string) => Promise<string>;
  /** Asks the face a yes/no question; resolves false when nobody can answer (no terminal, end of input). */
  readonly confirm: (question: RestoreQuestion) => Promise<boolean>;
  /** Shown the mapping once it is planned, before any question is asked. */
  readonly onMapping?: (mapping: RestoreMapping) => void;
  /**
   * Resolves once `host` answers CQL, rejects after `timeoutMs`. restore-node returns as soon as
   * Cassandra is launched, so a copy-mode restore is only reported done once every target answers.
   */
  readonly waitUp: (host: string, timeoutMs: number) => Promise<void>;
  /** How long a restored target may take to answer CQL (default 10 min). */
  readonly upTimeoutMs?: number;
  /** `[cassandra] stop_cmd` as configured here, run on every target in copy mode. */
  readonly stopCmd: string;
  readonly hostFileSeparator: string;
  readonly medusa: RemoteMedusa;
  readonly metrics: MetricsSink;
  readonly clock: Clock;
  readonly restoreTimeoutMs?: number;
  readonly stopTimeoutMs?: number;
  readonly reattachDelayMs?: number;
  /** Stops the restore before any target is touched; once targets are stopped it runs to its end. */
  readonly signal?: AbortSignal;
  /** Told which host is on which step (`hostStep`, steps `stop`, `restore`, `wait-up`); `end` once the run is over. */
  readonly progress?: ProgressReporter;
  /** This host, as the `fqdn` of the run's metric event; default the machine's host name. */
  readonly fqdn?: string;
}

/** Flags of `medusa restore-cluster`. */
export interface RestoreClusterOptions {
  readonly backupName: string;
  readonly seedTarget?: string;
  readonly hostList?: string;
  readonly tempDir: string;
  /** true = keep, false = overwrite, undefined = ask for a remote restore (overwrite with -y). */
  readonly keepAuth?: boolean;
  readonly bypassChecks: boolean;
  readonly verify: boolean;
  readonly keyspaces: readonly string[];
  readonly tables: readonly string[];
  readonly useSstableloader: boolean;
  readonly parallelRestores: number;
  readonly versionTarget: string;
  readonly ignoreRacks: boolean;
}

/**
 * What a cluster restore may ask: `keep-auth`, whether to keep the target's system_auth (remote
 * restore, neither `--keep-auth` nor `--overwrite-auth` nor `-y` given); `proceed`, the last word
 * before anything is stopped (unless `-y`).
 */
export type RestoreQuestion = 'keep-auth' | 'proceed';

/** Per-host result of a cluster restore. */
export interface RestoreClusterResult {
  readonly mapping: RestoreMapping;
  readonly restored: readonly string[];
  readonly failed: readonly HostOutcome[];
  readonly notAttempted: readonly string[];
  readonly jobDir: string;
}

/** Some target was not restored; `result` says which were, which failed (why) and which were not attempted. */
export class RestoreClusterFailedError extends OperationError {
  constructor(
    message: string,
    readonly result: RestoreClusterResult,
  ) {
    super(message);
  }
}

/** The incomplete backup cannot be restored without `--bypass-checks`. */
function incompleteMessage(b: ClusterBackup): string {
  const parts = [
    ...(b.missingNodes.length > 0 ? [`no backup of ${b.missingNodes.join(', ')}`] : []),
    ...(b.incompleteNodes.length > 0 ? [`unfinished on ${b.incompleteNodes.map((n) => n.fqdn).join(', ')}`] : []),
  ];
  return `Backup ${b.name} is incomplete (${parts.join('; ')}); restoring it would lose data. Use -y/--bypass-checks to restore it anyway`;
}

async function planMapping(ctx: RestoreClusterContext, o: RestoreClusterOptions, source: TokenMap): Promise<RestoreMapping> {
  if (o.hostList !== undefined) {
    const entries = parseHostList(await ctx.readHostList(o.hostList), ctx.hostFileSeparator, o.hostList);
    return mapFromHostList(entries, source, o.useSstableloader);
  }
  const seed = o.seedTarget!;
  const target = await ctx.readTopology(seed);
  let seeds = await ctx.seeds();
  if (![...seeds].some((s) => target.has(s)) && target.has(seed)) {
    // No local cassandra.yaml naming a target seed (e.g. run from a bastion): the seed target is
    // the one host known to be a seed, and starting it first keeps the others from failing to gossip.
    ctx.log.info(`No seed of the target cluster in the local cassandra.yaml: ${seed} is started first as the seed`);
    seeds = new Set([seed]);
  }
  return mapFromTopology({ source, target, seeds, ignoreRacks: o.ignoreRacks, forceSstableloader: o.useSstableloader });
}

async function decideKeepAuth(ctx: RestoreClusterContext, o: RestoreClusterOptions, mapping: RestoreMapping): Promise<boolean> {
  if (mapping.inPlace) {
    if (o.keepAuth === true) ctx.log.warning('--keep-auth is ignored for an in-place restore: system_auth is restored with the rest');
    return false;
  }
  if (o.keepAuth !== undefined) return o.keepAuth;
  if (o.bypassChecks) return false;
  return ctx.confirm('keep-auth');
}

/** Runs the cluster restore. Usage problems are `UsageError`s; host failures an `OperationError` after the summary. */
export async function restoreCluster(ctx: RestoreClusterContext, o: RestoreClusterOptions): Promise<RestoreClusterResult> {
  if (o.seedTarget !== undefined && o.hostList !== undefined) throw new UsageError('--seed-target and --host-list are mutually exclusive');
  if (o.seedTarget === undefined && o.hostList === undefined) throw new UsageError('one of --seed-target or --host-list is required');
  const started = ctx.clock.now();
  const tags = (what: string) => ['medusa-cluster-restore', what, o.backupName] as const;
  const record = (ok: boolean, r?: RestoreClusterResult): Promise<void> =>
    ctx.metrics.record?.({
      kind: 'cluster-job', command: 'restore-cluster', fqdn: ctx.fqdn ?? hostname(), backupName: o.backupName, started, finished: ctx.clock.now(), ok,
      hosts: { ok: r?.restored.length ?? 0, failed: r?.failed.length ?? 0, notAttempted: r?.notAttempted.length ?? 0 },
    }) ?? Promise.resolve();
  try {
    const result = await run(ctx, o).finally(() => ctx.progress?.end());
    await ctx.metrics.send(tags('restore-duration'), (ctx.clock.now() - started) / 1000);
    await ctx.metrics.send(tags('restore-error'), 0);
    await record(true, result);
    return result;
  } catch (err) {
    await ctx.metrics.send(tags('restore-error'), 1).catch(() => undefined);
    await record(false, err instanceof RestoreClusterFailedError ? err.result : undefined).catch(() => undefined);
    throw err;
  }
}

/** Waits for `host` to answer CQL, shown as its `wait-up` step. */
async function waitUpShown(ctx: RestoreClusterContext, host: string): Promise<void> {
  ctx.progress?.hostStep?.(host, 'wait-up', 'running');
  try {
    await ctx.waitUp(host, ctx.upTimeoutMs ?? 600_000);
    ctx.progress?.hostStep?.(host, 'wait-up', 'done');
  } catch (err) {
    ctx.progress?.hostStep?.(host, 'wait-up', 'failed');
    throw err;
  }
}

async function run(ctx: RestoreClusterContext, o: RestoreClusterOptions): Promise<RestoreClusterResult> {
  const jobDir = createJobDir(o.tempDir);
  const backup = await findClusterBackup(ctx, o.backupName);
  if (!backup.complete) {
    if (!o.bypassChecks) throw new OperationError(incompleteMessage(backup));
    ctx.log.warning(`${incompleteMessage(backup)}: going on because of --bypass-checks`);
  }
  const mapping = await planMapping(ctx, o, backup.tokenmap);
  ctx.onMapping?.(mapping);
  const lost = unmappedSources(mapping, backup.tokenmap);
  if (lost.length > 0) ctx.log.warning(`No target restores the data of ${lost.join(', ')}`);
  const keepAuth = await decideKeepAuth(ctx, o, mapping);
  if (!o.bypassChecks && !(await ctx.confirm('proceed'))) {
    throw new OperationError('Restore cancelled: not confirmed (use -y to restore without asking)');
  }
  throwIfAborted(ctx.signal, `Restore of ${o.backupName}`);
  ctx.log.info(`Cluster restore of ${o.backupName}; job folder ${jobDir}`);
  const job: JobOptions = {
    executor: ctx.executor, jobDir, log: ctx.log, timeoutMs: ctx.restoreTimeoutMs ?? 48 * 3600_000,
    ...(ctx.reattachDelayMs !== undefined ? { reattachDelayMs: ctx.reattachDelayMs } : {}),
    ...hostStates(ctx.progress),
  };
  const targets = [...mapping.hosts.keys()];
  const seedTargets = targets.filter((t) => mapping.hosts.get(t)!.seed);

  const restoreArgs = (target: string, withSeeds: boolean): string => {
    const a = mapping.hosts.get(target)!;
    const args = [
      'restore-node',
      mapping.inPlace ? '--in-place' : '--remote',
      ...(keepAuth ? ['--keep-auth'] : []),
      ...(withSeeds && seedTargets.length > 0 ? [`--seeds=${seedTargets.join(',')}`] : []),
      o.verify ? '--verify' : '--no-verify',
      `--backup-name=${o.backupName}`,
      `--temp-dir=${o.tempDir}`,
      ...(mapping.useSstableloader ? ['--use-sstableloader'] : []),
      `--version-target=${o.versionTarget}`,
      ...o.keyspaces.map((k) => `--keyspace=${k}`),
      ...o.tables.map((t) => `--table=${t}`),
    ];
    return medusaCommandLine(ctx.medusa, [`--fqdn=${a.sources.join(',')}`], args);
  };

  const outcomes: HostOutcome[] = [];
  let notAttempted: string[] = [];
  if (mapping.useSstableloader) {
    const seed = o.seedTarget ?? seedTargets[0] ?? targets[0]!;
    const schema = await getText(ctx.storage, metaKey(ctx.layout, backup.completeNodes[0]?.fqdn ?? backup.nodeBackups[0]!.fqdn, o.backupName, 'schema.cql'));
    const statements = schemaRecreateStatements(schema, { keyspaces: o.keyspaces, tables: o.tables });
    ctx.log.info(`Recreating the schema on ${seed} (${statements.length} statements)`);
    await ctx.executeCql(seed, statements);
    outcomes.push(...(await runStep(job, 'restore', targets.map((t) => ({ host: t, command: restoreArgs(t, false) })), o.parallelRestores)));
  } else {
    if (ctx.stopCmd.trim() !== '') {
      ctx.log.info(`Stopping Cassandra on every target: ${redactPasswordText(ctx.stopCmd)}`);
      const stops = await runStep({ ...job, timeoutMs: ctx.stopTimeoutMs ?? 600_000 }, 'stop', targets.map((t) => ({ host: t, command: ctx.stopCmd })), targets.length);
      // As Medusa: a failed stop means "already down"; restore-node stops again and checks.
      for (const line of describeFailures(stops)) ctx.log.warning(`stop_cmd: ${line}`);
    }
    const others = targets.filter((t) => !seedTargets.includes(t));
    if (seedTargets.length > 0) {
      ctx.log.info(`Restoring the seeds first: ${seedTargets.join(', ')}`);
      outcomes.push(...(await runStep(job, 'restore', seedTargets.map((t) => ({ host: t, command: restoreArgs(t, false) })), o.parallelRestores)));
    }
    for (const [i, x] of outcomes.entries()) {
      if (!x.ok || others.length === 0) continue;
      try {
        await waitUpShown(ctx, x.host);
      } catch (err) {
        outcomes[i] = { ...x, ok: false, failure: { kind: 'error', message: `Cassandra does not answer after the restore: ${describeError(err)}` } };
      }
    }
    if (outcomes.some((x) => !x.ok)) {
      notAttempted = others;
      ctx.log.error(`A seed failed: not restoring ${others.join(', ')}`);
    } else if (others.length > 0) {
      outcomes.push(...(await runStep(job, 'restore', others.map((t) => ({ host: t, command: restoreArgs(t, true) })), o.parallelRestores)));
    }
  }
  if (!mapping.useSstableloader) {
    // A host whose restore ended well but whose Cassandra never answers is not restored.
    for (const [i, x] of outcomes.entries()) {
      if (!x.ok) continue;
      try {
        await waitUpShown(ctx, x.host);
        ctx.log.info(`${x.host} is up`);
      } catch (err) {
        outcomes[i] = { ...x, ok: false, failure: { kind: 'error', message: `Cassandra does not answer after the restore: ${describeError(err)}` } };
      }
    }
  }
  const restored = outcomes.filter((x) => x.ok).map((x) => x.host);
  const failed = outcomes.filter((x) => !x.ok);
  const result = { mapping, restored, failed, notAttempted, jobDir };
  if (failed.length > 0 || notAttempted.length > 0) {
    const lines = describeFailures(failed);
    throw new RestoreClusterFailedError(
      `restore-cluster failed: ${failed.length} host(s) failed${notAttempted.length > 0 ? `, ${notAttempted.length} not attempted (${notAttempted.join(', ')})` : ''}; restored: ${restored.join(', ') || 'none'}${lines.length > 0 ? `\n  ${lines.join('\n  ')}` : ''}`,
      result,
    );
  }
  return result;
}
