/** `medusa fetch-tokenmap`: the token ring a backup recorded, host by host. */
import type { Command } from 'commander';
import { formatTokenList } from '../../domain/tokenmap.js';
import { backupTokenmap } from '../../ops/api/backups.js';
import { withCommandContext } from '../context.js';
import { printLine } from '../output.js';
import type { GlobalsGetter } from './index.js';

export function registerFetchTokenmap(program: Command, globals: GlobalsGetter): void {
  program
    .command('fetch-tokenmap')
    .description('Print the token/node mapping of a backup')
    .requiredOption('--backup-name <name>', 'backup name')
    .action((opts: { backupName: string }) =>
      withCommandContext(globals(), async (session) => {
        for (const [host, entry] of await backupTokenmap(session, opts.backupName)) {
          printLine(host);
          printLine(formatTokenList(entry.tokens));
        }
      }),
    );
}
