/** `medusa purge`: retention for this node (reference §6.1, design §2 item 5, §3 "purge you can trust"). */
import { Option, type Command } from 'commander';
import { localSnapshotRoute } from '../../cassandra/local-node.js';
import { dumpsPython } from '../../domain/python-json.js';
import { createMetricsSink } from '../../monitoring/create.js';
import { backupLockDir, readBackupLocks, removeDeadLocks } from '../../ops/backup-lock.js';
import { holdOrphanCleanupMarker } from '../../ops/orphan-cleanup-marker.js';
import { purge } from '../../ops/purge.js';
import { systemClock } from '../../util/clock.js';
import { withCommandContext } from '../context.js';
import { printLine } from '../output.js';
import { dryRunLines, purgeJson } from '../render/purge-report.js';
import type { GlobalsGetter } from './index.js';

interface PurgeCommandOptions {
  dryRun: boolean;
  output: 'text' | 'json';
}

export function registerPurge(program: Command, globals: GlobalsGetter): void {
  program
    .command('purge')
    .description('Delete obsolete backups of this node (max_backup_age, max_backup_count) and its orphaned files')
    .option('--dry-run', 'show what would be deleted and why, delete nothing', false)
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((opts: PurgeCommandOptions) =>
      withCommandContext(globals(), async (ctx) => {
        const { storage: s } = ctx.config;
        const metrics = createMetricsSink(ctx.config.monitoring, ctx.log);
        const lockDir = backupLockDir();
        try {
          const report = await purge(
            {
              ...ctx,
              clock: systemClock,
              metrics,
              snapshots: localSnapshotRoute(ctx.config, ctx.log),
              backupLocks: { read: () => readBackupLocks(lockDir), removeDead: removeDeadLocks },
              orphanMarkers: { hold: (fqdn) => holdOrphanCleanupMarker(lockDir, fqdn) },
            },
            {
              fqdn: s.fqdn,
              policy: { maxBackupAgeDays: s.max_backup_age, maxBackupCount: s.max_backup_count },
              graceDays: s.backup_grace_period_in_days,
              dryRun: opts.dryRun,
            },
          );
          if (opts.output === 'json') printLine(dumpsPython(purgeJson(report)));
          else if (opts.dryRun) for (const line of dryRunLines(report)) printLine(line);
        } finally {
          await metrics.close();
        }
      }),
    );
}
