/** `medusa report-last-backup`: age and state of the latest backups, as log lines and metrics. */
import type { Command } from 'commander';
import { createMetricsSink } from '../../monitoring/create.js';
import { reportLastBackup } from '../../ops/report-last-backup.js';
import { systemClock } from '../../util/clock.js';
import { withCommandContext } from '../context.js';
import type { GlobalsGetter } from './index.js';

export function registerReportLastBackup(program: Command, globals: GlobalsGetter): void {
  program
    .command('report-last-backup')
    .description('Report how long ago the latest backups finished')
    .option('--push-metrics', 'also push the figures to the monitoring provider', false)
    .action((opts: { pushMetrics: boolean }) =>
      withCommandContext(globals(), async (ctx) => {
        const metrics = createMetricsSink(ctx.config.monitoring, ctx.log);
        try {
          await reportLastBackup({ ...ctx, fqdn: ctx.config.storage.fqdn, clock: systemClock, metrics }, opts.pushMetrics);
        } finally {
          await metrics.close();
        }
      }),
    );
}
