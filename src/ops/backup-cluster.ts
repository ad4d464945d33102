/**
 * `medusa backup-cluster` (reference §4.8, design §2): refuse an existing backup name, read the
 * hosts of the seed's datacenter, snapshot every node over SSH (`--parallel-snapshots` at once),
 * then run `medusa backup-node` on each (`--parallel-uploads` at once, hosts in ring order so that
 * `--stagger` waits for a node that runs before it). Each snapshot is held until its host's turn
 * (ops/snapshot-hold.ts), so a purge there meanwhile leaves it. Any failure clears the
 * `medusa-<name>` snapshot on every host and ends with an `OperationError` naming the failed hosts
 * and their logs.
 */
import { hostname } from 'node:os';
import { listNodeBackups, type CatalogContext } from '../catalog/catalog.js';
import { nodetoolCommand, type NodetoolSettings } from '../cassandra/nodetool.js';
import type { TokenMap } from '../domain/tokenmap.js';
import type { MetricsSink } from '../monitoring/types.js';
import { describeFailures, failedHosts, runStep, type HostOutcome, type JobOptions } from '../remote/job.js';
import { shellJoin } from '../remote/shell-quote.js';
import type { RemoteExecutor } from '../remote/types.js';
import type { ProgressReporter } from '../transfer/progress.js';
import type { Clock } from '../util/clock.js';
import { describeError, OperationError, throwIfAborted } from '../util/errors.js';
import { processStartOf } from './backup-lock.js';
import { SNAPSHOT_PREFIX } from './backup-node.js';
import { previousHost } from './backup-stagger.js';
import { createJobDir, hostStates, medusaCommandLine, type RemoteMedusa } from './cluster-job.js';
import { holdFileName, removeHoldCommand, writeHoldCommand } from './snapshot-hold.js';

/** Ports and settings of a cluster backup. */
export interface BackupClusterContext extends CatalogContext {
  readonly executor: RemoteExecutor;
  /** The tokenmap of the seed's datacenter (over CQL on the seed). */
  readonly readTopology: () => Promise<TokenMap>;
  /** nodetool as configured here, run on every host (as Medusa). */
  readonly nodetool: NodetoolSettings;
  readonly medusa: RemoteMedusa;
  readonly metrics: MetricsSink;
  readonly clock: Clock;
  /** Per-host timeouts. */
  readonly snapshotTimeoutMs?: number;
  readonly backupTimeoutMs?: number;
  /** Re-attach pause (tests shorten it). */
  readonly reattachDelayMs?: number;
  /**
   * Stops the backup before the hosts' snapshots are taken or before their uploads start (the
   * snapshots are then cleared everywhere); a step already running on the hosts runs to its end.
   */
  readonly signal?: AbortSignal;
  /** Told which host is on which step (`hostStep`); `end` once the run is over. */
  readonly progress?: ProgressReporter;
  /** This host, as the `fqdn` of the run's metric event; default the machine's host name. */
  readonly fqdn?: string;
}

/** Flags of `medusa backup-cluster`. */
export interface BackupClusterOptions {
  readonly backupName: string;
  readonly stagger?: number;
  readonly enableMd5Checks: boolean;
  readonly mode: 'full' | 'differential';
  readonly tempDir: string;
  readonly parallelSnapshots: number;
  readonly parallelUploads: number;
  readonly keepSnapshot: boolean;
  readonly useExistingSnapshot: boolean;
}

/** What a successful cluster backup did. */
export interface BackupClusterResult {
  /** The name given, or the default one chosen for it. */
  readonly backupName: string;
  readonly hosts: readonly string[];
  readonly jobDir: string;
  readonly seconds: number;
}

/** Hosts ordered by token list, the order `--stagger` expects them to finish in. */
export function ringOrder(tokenmap: TokenMap): string[] {
  const out: string[] = [];
  const remaining = new Set(tokenmap.keys());
  // previousHost() defines the order; walk it from the first host.
  const first = [...remaining].find((h) => previousHost(tokenmap, h) === undefined);
  if (first === undefined) return [...remaining];
  out.push(first);
  remaining.delete(first);
  while (remaining.size > 0) {
    const next = [...remaining].find((h) => previousHost(tokenmap, h) === out[out.length - 1]);
    if (next === undefined) break;
    out.push(next);
    remaining.delete(next);
  }
  return [...out, ...remaining];
}

function failure(step: string, outcomes: readonly HostOutcome[]): OperationError {
  const lines = describeFailures(outcomes);
  return new OperationError(`${step} failed on ${failedHosts(outcomes).join(', ')}:\n  ${lines.join('\n  ')}`);
}

/** Runs the cluster backup; throws `OperationError` (exit 1) naming failed hosts. */
export async function backupCluster(ctx: BackupClusterContext, o: BackupClusterOptions): Promise<BackupClusterResult> {
  const started = ctx.clock.now();
  const tags = (what: string) => ['medusa-cluster-backup', what, o.backupName] as const;
  let jobDir: string | undefined;
  let hosts: string[] = [];
  const snapshotTag = `${SNAPSHOT_PREFIX}${o.backupName}`;
  let snapshotsTaken = false;
  let hold: string | undefined;
  let hostCounts = { ok: 0, failed: 0, notAttempted: 0 };
  const record = (ok: boolean): Promise<void> =>
    ctx.metrics.record?.({ kind: 'cluster-job', command: 'backup-cluster', fqdn: ctx.fqdn ?? hostname(), backupName: o.backupName, started, finished: ctx.clock.now(), ok, hosts: hostCounts }) ?? Promise.resolve();
  const snapshotTimeoutMs = ctx.snapshotTimeoutMs ?? 600_000;
  try {
    if ((await listNodeBackups(ctx)).some((nb) => nb.name === o.backupName)) {
      throw new OperationError(`Backup ${o.backupName} already exists; choose another --backup-name`);
    }
    throwIfAborted(ctx.signal, `Backup ${o.backupName}`);
    const tokenmap = await ctx.readTopology();
    hosts = ringOrder(tokenmap);
    if (hosts.length === 0) throw new OperationError('the seed reports no host in its datacenter');
    jobDir = createJobDir(o.tempDir);
    ctx.log.info(`Backup ${o.backupName} of ${hosts.length} hosts (${hosts.join(', ')}); job folder ${jobDir}`);
    const job: JobOptions = {
      executor: ctx.executor, jobDir, log: ctx.log, timeoutMs: ctx.backupTimeoutMs ?? 48 * 3600_000,
      ...(ctx.reattachDelayMs !== undefined ? { reattachDelayMs: ctx.reattachDelayMs } : {}),
      ...hostStates(ctx.progress),
    };

    if (!o.useExistingSnapshot) {
      ctx.log.info(`Taking snapshot ${snapshotTag} on every host (${o.parallelSnapshots} at once)`);
      snapshotsTaken = true;
      const snap = shellJoin(nodetoolCommand(ctx.nodetool, ['snapshot', '-t', snapshotTag]));
      // Each host's snapshot is held until its turn comes (see ops/snapshot-hold.ts); the hold
      // outlives the longest this backup may take, in case this process dies before removing it.
      const holdName = holdFileName(process.pid);
      hold = holdName;
      const rounds = Math.ceil(hosts.length / Math.max(1, o.parallelUploads));
      const expires = new Date(ctx.clock.now() + snapshotTimeoutMs + rounds * job.timeoutMs).toISOString();
      const start = processStartOf(process.pid);
      const holdFor = (host: string): string => writeHoldCommand({
        pid: process.pid, ...(start !== undefined ? { processStart: start } : {}), host: hostname(), fqdn: host, backupName: o.backupName, expires,
      }, holdName);
      const commands = hosts.map((host) => ({ host, command: `${holdFor(host)}; ${snap}` }));
      const outcomes = await runStep({ ...job, timeoutMs: snapshotTimeoutMs }, 'snapshot', commands, o.parallelSnapshots);
      if (outcomes.some((x) => !x.ok)) {
        const failed = outcomes.filter((x) => !x.ok).length;
        hostCounts = { ok: 0, failed, notAttempted: hosts.length - failed };
        throw failure('snapshot', outcomes);
      }
    }

    const args = [
      'backup-node',
      `--backup-name=${o.backupName}`,
      ...(o.stagger !== undefined ? [`--stagger=${o.stagger}`] : []),
      ...(o.enableMd5Checks ? ['--enable-md5-checks'] : []),
      `--mode=${o.mode}`,
      ...(o.keepSnapshot ? ['--keep-snapshot'] : []),
      ...(o.useExistingSnapshot ? ['--use-existing-snapshot'] : []),
    ];
    throwIfAborted(ctx.signal, `Backup ${o.backupName}`);
    ctx.log.info(`Backing up every host (${o.parallelUploads} at once)`);
    const outcomes = await runStep(job, 'backup', hosts.map((host) => ({ host, command: medusaCommandLine(ctx.medusa, [], args) })), o.parallelUploads);
    for (const x of outcomes) if (x.ok) ctx.log.info(`${x.host}: backup done (log: ${x.logDir})`);
    const okHosts = outcomes.filter((x) => x.ok).length;
    hostCounts = { ok: okHosts, failed: outcomes.length - okHosts, notAttempted: hosts.length - outcomes.length };
    if (outcomes.some((x) => !x.ok)) throw failure('backup-node', outcomes);
    const seconds = (ctx.clock.now() - started) / 1000;
    await ctx.metrics.send(tags('cluster-backup-duration'), seconds);
    await ctx.metrics.send(tags('cluster-backup-error'), 0);
    await record(true);
    return { backupName: o.backupName, hosts, jobDir, seconds };
  } catch (err) {
    await ctx.metrics.send(tags('cluster-backup-error'), 1).catch(() => undefined);
    await record(false).catch(() => undefined);
    if (snapshotsTaken && jobDir !== undefined && hosts.length > 0) await clearEverywhere(ctx, jobDir, hosts, snapshotTag);
    throw err;
  } finally {
    ctx.progress?.end();
    if (hold !== undefined && jobDir !== undefined) await everywhere(ctx, jobDir, hosts, 'release-hold', removeHoldCommand(hold), `Snapshot hold ${hold} may be left behind (it expires on its own)`);
  }
}

async function clearEverywhere(ctx: BackupClusterContext, jobDir: string, hosts: readonly string[], tag: string): Promise<void> {
  ctx.log.info(`Clearing snapshot ${tag} on every host`);
  const clear = shellJoin(nodetoolCommand(ctx.nodetool, ['clearsnapshot', '-t', tag]));
  await everywhere(ctx, jobDir, hosts, 'clear-snapshot', clear, `Snapshot ${tag} may be left behind`);
}

/** Runs a clean-up `command` on every host at once; failures are logged with `onFailure`, never thrown. */
async function everywhere(ctx: BackupClusterContext, jobDir: string, hosts: readonly string[], step: string, command: string, onFailure: string): Promise<void> {
  try {
    const outcomes = await runStep(
      { executor: ctx.executor, jobDir, log: ctx.log, timeoutMs: ctx.snapshotTimeoutMs ?? 600_000, reattachAttempts: 0 },
      step,
      hosts.map((host) => ({ host, command })),
      hosts.length,
    );
    for (const line of describeFailures(outcomes)) ctx.log.error(`${onFailure}: ${line}`);
  } catch (err) {
    ctx.log.error(`${onFailure}: ${describeError(err)}`);
  }
}
