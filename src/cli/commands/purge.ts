/** `medusa purge`: retention for this node (reference §6.1, design §2 item 5, §3 "purge you can trust"). */
import { Option, type Command } from 'commander';
import { dumpsPython } from '../../domain/python-json.js';
import { runPurge } from '../../ops/api/purge.js';
import { withProgressContext } from '../context.js';
import { ProgressLine } from '../render/progress-line.js';
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
      withProgressContext(globals(), ProgressLine.forTerminal(), async (session, run) => {
        const report = await runPurge(session, { dryRun: opts.dryRun }, run);
        if (opts.output === 'json') printLine(dumpsPython(purgeJson(report)));
        else if (opts.dryRun) for (const line of dryRunLines(report)) printLine(line);
      }),
    );
}
