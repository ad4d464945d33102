/** `medusa purge-decommissioned`: deletes the backups of nodes gone from the cluster (reference §6.1). */
import type { Command } from 'commander';
import { createMetricsSink } from '../../monitoring/create.js';
import { readLiveHosts } from '../../ops/live-hosts.js';
import { purgeDecommissioned } from '../../ops/purge-decommissioned.js';
import { systemClock } from '../../util/clock.js';
import { withCommandContext } from '../context.js';
import { printLine } from '../output.js';
import { dryRunLines } from '../render/purge-report.js';
import type { GlobalsGetter } from './index.js';

export function registerPurgeDecommissioned(program: Command, globals: GlobalsGetter): void {
  program
    .command('purge-decommissioned')
    .description('Delete the backups of nodes that are in no datacenter of the live cluster')
    .option('--dry-run', 'show what would be deleted and why, delete nothing', false)
    .action((opts: { dryRun: boolean }) =>
      withCommandContext(globals(), async (ctx) => {
        const metrics = createMetricsSink(ctx.config.monitoring, ctx.log);
        try {
          const liveHosts = await readLiveHosts(ctx.config, { clock: systemClock, log: ctx.log }).catch(async (err: unknown) => {
            // The operation sends this metric for its own failures; not reaching Cassandra is one too.
            if (!opts.dryRun) {
              await metrics.send(['medusa-decommissioned-node-backup', 'purge-error', 'PURGE-ERROR'], 1).catch(() => undefined);
              await metrics.record?.({ kind: 'purge', command: 'purge-decommissioned', fqdn: ctx.config.storage.fqdn, finished: systemClock.now(), ok: false });
            }
            throw err;
          });
          ctx.log.info(`Live nodes: ${[...liveHosts].join(', ')}`);
          const report = await purgeDecommissioned(
            { ...ctx, clock: systemClock, metrics },
            { liveHosts, graceDays: ctx.config.storage.backup_grace_period_in_days, dryRun: opts.dryRun, fqdn: ctx.config.storage.fqdn },
          );
          if (opts.dryRun) for (const line of dryRunLines(report)) printLine(line);
        } finally {
          await metrics.close();
        }
      }),
    );
}
