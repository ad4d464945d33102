/** `medusa fetch-tokenmap`: the token ring a backup recorded, host by host. */
import type { Command } from 'commander';
import { formatTokenList } from '../../domain/tokenmap.js';
import { findClusterBackup } from '../../ops/find-backup.js';
import { withCommandContext } from '../context.js';
import { printLine } from '../output.js';
import type { GlobalsGetter } from './index.js';

export function registerFetchTokenmap(program: Command, globals: GlobalsGetter): void {
  program
    .command('fetch-tokenmap')
    .description('Print the token/node mapping of a backup')
    .requiredOption('--backup-name <name>', 'backup name')
    .action((opts: { backupName: string }) =>
      withCommandContext(globals(), async (ctx) => {
        const backup = await findClusterBackup(ctx, opts.backupName);
        for (const [host, entry] of backup.tokenmap) {
          printLine(host);
          printLine(formatTokenList(entry.tokens));
        }
      }),
    );
}
