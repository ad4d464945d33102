/** `medusa get-last-complete-cluster-backup`: the name of the newest complete backup. */
import type { Command } from 'commander';
import { lastCompleteClusterBackup } from '../../ops/api/backups.js';
import { withCommandContext } from '../context.js';
import { printLine } from '../output.js';
import type { GlobalsGetter } from './index.js';

export function registerGetLastCompleteClusterBackup(program: Command, globals: GlobalsGetter): void {
  program
    .command('get-last-complete-cluster-backup')
    .description('Print the name of the latest complete cluster backup')
    .action(() =>
      withCommandContext(globals(), async (session) => {
        const latest = await lastCompleteClusterBackup(session);
        printLine(latest ? latest.name : 'Could not find any full backup for the cluster');
      }),
    );
}
