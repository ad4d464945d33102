/** `medusa backup` (alias `backup-node`): back up this node (reference §4, design §2-3). */
import { Command, InvalidArgumentError, Option } from 'commander';
import { readCassandraYaml } from '../../cassandra/cassandra-yaml.js';
import { cqlMetadata, localSnapshots } from '../../cassandra/local-node.js';
import { createMetricsSink } from '../../monitoring/create.js';
import { acquireBackupLock, backupLockDir } from '../../ops/backup-lock.js';
import { backupNode } from '../../ops/backup-node.js';
import { waitForOrphanCleanups } from '../../ops/orphan-cleanup-marker.js';
import { hashCachePath } from '../../ops/hash-cache-location.js';
import { lowerOwnPriority } from '../../ops/lower-priority.js';
import { HashCache } from '../../transfer/hash-cache.js';
import { systemClock } from '../../util/clock.js';
import { describeError, UsageError } from '../../util/errors.js';
import { withCommandContext } from '../context.js';
import { ProgressLine } from '../render/progress-line.js';
import type { GlobalsGetter } from './index.js';

interface BackupFlags {
  backupName?: string;
  stagger?: number;
  enableMd5Checks: boolean;
  mode: 'full' | 'differential';
  keepSnapshot: boolean;
  useExistingSnapshot: boolean;
}

/** Medusa's default backup name: local time `%Y%m%d%H%M`. */
export function defaultBackupName(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}`;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number of seconds');
  return n;
}

export function registerBackup(program: Command, globals: GlobalsGetter): void {
  program
    .command('backup')
    .alias('backup-node')
    .description('Backup single Cassandra node')
    .option('--backup-name <name>', 'custom name for the backup (default: local time %Y%m%d%H%M)')
    .option('--stagger <seconds>', 'drop this backup if the previous node has not finished within this time', seconds)
    .option('--enable-md5-checks', 'also compare hashes of already stored files (differential)', false)
    .addOption(new Option('--mode <mode>', 'backup mode').choices(['full', 'differential']).default('differential'))
    .option('--keep-snapshot', 'do not clear the snapshot after the backup (purge leaves it too, once the backup has finished)', false)
    .option('--use-existing-snapshot', 'back up the existing snapshot named --backup-name instead of taking one', false)
    .action((opts: BackupFlags) => {
      const commandStart = systemClock.now();
      if (opts.useExistingSnapshot && !opts.backupName) throw new UsageError('--use-existing-snapshot requires --backup-name');
      return withCommandContext(globals(), async (ctx) => {
        const { config } = ctx;
        const progress = ProgressLine.forTerminal();
        const log = progress ? progress.wrapLogger(ctx.log) : ctx.log;
        const yaml = await readCassandraYaml(config.cassandra.config_file);
        const checkHashes = opts.enableMd5Checks || config.checks.enable_md5_checks;
        // Always: a differential compares every same-name same-size file by hash, and the cache keeps that to one stat per unchanged file.
        const hashCache = await HashCache.load({ persistPath: hashCachePath() });
        const metrics = createMetricsSink(config.monitoring, log);
        lowerOwnPriority(log);
        const backupName = opts.backupName ?? defaultBackupName(commandStart);
        // Held for the whole run, snapshot included: a purge on this host leaves this backup's
        // snapshot and the node's pool alone while it is here (ops/backup-lock.ts).
        const lockDir = backupLockDir();
        const lock = await acquireBackupLock(lockDir, config.storage.fqdn, backupName).catch((err: unknown) => {
          log.warning(`Cannot take the backup lock in ${lockDir} (${describeError(err)}): a purge on this host may clear this backup's snapshot meanwhile`);
          return undefined;
        });
        try {
          await backupNode(
            {
              ...ctx,
              log,
              fqdn: config.storage.fqdn,
              clock: systemClock,
              snapshots: localSnapshots(config, yaml, log),
              metadata: cqlMetadata(config, yaml, { clock: systemClock, log }),
              concurrentTransfers: config.storage.concurrent_transfers,
              md5CheckConcurrency: config.checks.md5_check_concurrency,
              multipartChunksize: config.storage.multipart_chunksize,
              metrics,
              commandStart,
              // The other half of the lock: a purge already deleting orphans of this node finishes first.
              beforePoolListing: () => waitForOrphanCleanups(lockDir, config.storage.fqdn, { log, clock: systemClock }),
              ...(hashCache ? { hashCache } : {}),
              ...(progress ? { progress } : {}),
            },
            {
              backupName,
              mode: opts.mode,
              ...(opts.stagger !== undefined ? { stagger: opts.stagger } : {}),
              checkHashes,
              keepSnapshot: opts.keepSnapshot,
              useExistingSnapshot: opts.useExistingSnapshot,
            },
          );
        } finally {
          await lock?.release();
          await metrics.close();
          await hashCache?.save({ dropUnused: true }).catch((err: unknown) => log.warning(`Cannot save the hash cache (${describeError(err)})`));
        }
      });
    });
}
