/** `medusa backup` (alias `backup-node`): back up this node (reference §4, design §2-3). */
import { Command, InvalidArgumentError, Option } from 'commander';
import { runBackup } from '../../ops/api/backup.js';
import { systemClock } from '../../util/clock.js';
import { UsageError } from '../../util/errors.js';
import { withProgressContext } from '../context.js';
import { printLine, outputOption, type OutputFormat } from '../output.js';
import { ProgressLine } from '../render/progress-line.js';
import { backupJson, jsonLine } from '../render/summary-json.js';
import type { GlobalsGetter } from './index.js';

interface BackupFlags {
  backupName?: string;
  stagger?: number;
  enableMd5Checks: boolean;
  mode: 'full' | 'differential';
  keepSnapshot: boolean;
  useExistingSnapshot: boolean;
  output: OutputFormat;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number of seconds');
  return n;
}

export function registerBackup(program: Command, globals: GlobalsGetter): void {
  program
    .command('backup')
    .alias('backup-node')
    .description('Backup single Cassandra node')
    .option('--backup-name <name>', 'custom name for the backup (default: local time %Y%m%d%H%M)')
    .option('--stagger <seconds>', 'drop this backup if the previous node has not finished within this time', seconds)
    .option('--enable-md5-checks', 'also compare hashes of already stored files (differential)', false)
    .addOption(new Option('--mode <mode>', 'backup mode').choices(['full', 'differential']).default('differential'))
    .option('--keep-snapshot', 'do not clear the snapshot after the backup (purge leaves it too, once the backup has finished)', false)
    .option('--use-existing-snapshot', 'back up the existing snapshot named --backup-name instead of taking one', false)
    .addOption(outputOption())
    .action((opts: BackupFlags) => {
      const startedAt = systemClock.now();
      if (opts.useExistingSnapshot && !opts.backupName) throw new UsageError('--use-existing-snapshot requires --backup-name');
      return withProgressContext(globals(), ProgressLine.forTerminal(), async (session, run) => {
        const summary = await runBackup(
          session,
          {
            ...(opts.backupName !== undefined ? { backupName: opts.backupName } : {}),
            mode: opts.mode,
            ...(opts.stagger !== undefined ? { stagger: opts.stagger } : {}),
            enableMd5Checks: opts.enableMd5Checks,
            keepSnapshot: opts.keepSnapshot,
            useExistingSnapshot: opts.useExistingSnapshot,
            startedAt,
          },
          run,
        );
        if (opts.output === 'json') printLine(jsonLine(backupJson(summary)));
      });
    });
}
