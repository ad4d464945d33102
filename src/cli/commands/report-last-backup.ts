/** `medusa report-last-backup`: age and state of the latest backups, as log lines and metrics. */
import type { Command } from 'commander';
import { runReportLastBackup } from '../../ops/api/report-last-backup.js';
import { withCommandContext } from '../context.js';
import { outputOption, printLine, type OutputFormat } from '../output.js';
import { jsonLine, lastBackupReportJson } from '../render/summary-json.js';
import type { GlobalsGetter } from './index.js';

export function registerReportLastBackup(program: Command, globals: GlobalsGetter): void {
  program
    .command('report-last-backup')
    .description('Report how long ago the latest backups finished')
    .option('--push-metrics', 'also push the figures to the monitoring provider', false)
    .addOption(outputOption())
    .action((opts: { pushMetrics: boolean; output: OutputFormat }) =>
      withCommandContext(globals(), async (session) => {
        // Medusa reports in its log lines, which the operation writes as it goes.
        const report = await runReportLastBackup(session, { pushMetrics: opts.pushMetrics });
        if (opts.output === 'json') printLine(jsonLine(lastBackupReportJson(report)));
      }),
    );
}
