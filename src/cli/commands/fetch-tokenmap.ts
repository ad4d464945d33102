/** `medusa fetch-tokenmap`: the token ring a backup recorded, host by host. */
import type { Command } from 'commander';
import { encodeTokenMap, formatTokenList } from '../../domain/tokenmap.js';
import { backupTokenmap } from '../../ops/api/backups.js';
import { withCommandContext } from '../context.js';
import { outputOption, printLine, type OutputFormat } from '../output.js';
import type { GlobalsGetter } from './index.js';

export function registerFetchTokenmap(program: Command, globals: GlobalsGetter): void {
  program
    .command('fetch-tokenmap')
    .description('Print the token/node mapping of a backup')
    .requiredOption('--backup-name <name>', 'backup name')
    .addOption(outputOption())
    .action((opts: { backupName: string; output: OutputFormat }) =>
      withCommandContext(globals(), async (session) => {
        const tokenmap = await backupTokenmap(session, opts.backupName);
        // The document as the backup stores it: tokens are JSON integers, exact (beyond 2^53).
        if (opts.output === 'json') return printLine(encodeTokenMap(tokenmap));
        for (const [host, entry] of tokenmap) {
          printLine(host);
          printLine(formatTokenList(entry.tokens));
        }
      }),
    );
}
