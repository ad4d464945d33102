/** `medusa get-last-complete-cluster-backup`: the name of the newest complete backup. */
import type { Command } from 'commander';
import { lastCompleteClusterBackup } from '../../ops/api/backups.js';
import { withCommandContext } from '../context.js';
import { outputOption, printLine, type OutputFormat } from '../output.js';
import { jsonLine, lastCompleteJson } from '../render/summary-json.js';
import type { GlobalsGetter } from './index.js';

export function registerGetLastCompleteClusterBackup(program: Command, globals: GlobalsGetter): void {
  program
    .command('get-last-complete-cluster-backup')
    .description('Print the name of the latest complete cluster backup')
    .addOption(outputOption())
    .action((opts: { output: OutputFormat }) =>
      withCommandContext(globals(), async (session) => {
        const latest = await lastCompleteClusterBackup(session);
        if (opts.output === 'json') printLine(jsonLine(lastCompleteJson(latest)));
        else printLine(latest ? latest.name : 'Could not find any full backup for the cluster');
      }),
    );
}
