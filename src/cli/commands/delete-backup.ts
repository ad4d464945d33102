/** `medusa delete-backup`: deletes named backups on this node or on all nodes (reference §6.1). */
import type { Command } from 'commander';
import { runDeleteBackup } from '../../ops/api/delete-backup.js';
import { withProgressContext } from '../context.js';
import { ProgressLine } from '../render/progress-line.js';
import { printLine } from '../output.js';
import { dryRunLines } from '../render/purge-report.js';
import type { GlobalsGetter } from './index.js';

interface DeleteBackupCommandOptions {
  backupName: string[];
  allNodes: boolean;
  dryRun: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerDeleteBackup(program: Command, globals: GlobalsGetter): void {
  const command = program
    .command('delete-backup')
    .description('Delete the given backups on the current node (or on all nodes)')
    .requiredOption('--backup-name <name>', 'backup name (repeat for several)', collect, [])
    .option('-a, --all-nodes', 'delete the backups on all nodes', false)
    .option('-c, --current-node', 'delete the backups on the current node only (default)')
    .option('--dry-run', 'show what would be deleted and why, delete nothing', false);
  // Like click's `-a/-c` flag pair: one setting, the last flag given wins.
  command.on('option:current-node', () => command.setOptionValue('allNodes', false));
  command.action((opts: DeleteBackupCommandOptions) =>
    withProgressContext(globals(), ProgressLine.forTerminal(), async (session, run) => {
      const report = await runDeleteBackup(session, { names: opts.backupName, allNodes: opts.allNodes, dryRun: opts.dryRun }, run);
      if (opts.dryRun) for (const line of dryRunLines(report)) printLine(line);
    }),
  );
}
