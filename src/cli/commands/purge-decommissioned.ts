/** `medusa purge-decommissioned`: deletes the backups of nodes gone from the cluster (reference §6.1). */
import type { Command } from 'commander';
import { runPurgeDecommissioned } from '../../ops/api/purge-decommissioned.js';
import { withProgressContext } from '../context.js';
import { ProgressLine } from '../render/progress-line.js';
import { printLine } from '../output.js';
import { dryRunLines } from '../render/purge-report.js';
import type { GlobalsGetter } from './index.js';

export function registerPurgeDecommissioned(program: Command, globals: GlobalsGetter): void {
  program
    .command('purge-decommissioned')
    .description('Delete the backups of nodes that are in no datacenter of the live cluster')
    .option('--dry-run', 'show what would be deleted and why, delete nothing', false)
    .action((opts: { dryRun: boolean }) =>
      withProgressContext(globals(), ProgressLine.forTerminal(), async (session, run) => {
        const report = await runPurgeDecommissioned(session, { dryRun: opts.dryRun }, run);
        if (opts.dryRun) for (const line of dryRunLines(report)) printLine(line);
      }),
    );
}
