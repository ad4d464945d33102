/** `medusa status`: completeness and size of one backup (reference §6.3). */
import { Option, type Command } from 'commander';
import { dumpsPython } from '../../domain/python-json.js';
import { BackupNotFoundError, backupStatus, clusterTotals } from '../../ops/api/backups.js';
import { formatBytesStr, formatLocalTimestamp } from '../../util/medusa-format.js';
import { clusterBackupJson } from '../render/backup-json.js';
import { withCommandContext } from '../context.js';
import { printLine } from '../output.js';
import type { GlobalsGetter } from './index.js';

interface StatusOptions {
  backupName: string;
  output: 'text' | 'json';
}

export function registerStatus(program: Command, globals: GlobalsGetter): void {
  program
    .command('status')
    .description('Show the status of a backup')
    .requiredOption('--backup-name <name>', 'backup name')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((opts: StatusOptions) =>
      withCommandContext(globals(), async (session) => {
        let detailed;
        try {
          detailed = await backupStatus(session, opts.backupName);
        } catch (err) {
          // Scripts parsing the JSON output still get a document when the backup does not exist.
          if (err instanceof BackupNotFoundError && opts.output === 'json') printLine('{}');
          throw err;
        }
        if (opts.output === 'json') {
          printLine(dumpsPython(clusterBackupJson(detailed), { sortKeys: true, ensureAscii: false }));
          return;
        }
        const { backup } = detailed;
        printLine(backup.complete ? backup.name : `${backup.name} [Incomplete!]`);
        const finished = backup.finished === undefined ? 'never' : formatLocalTimestamp(backup.finished);
        printLine(`- Started: ${formatLocalTimestamp(backup.started)}, Finished: ${finished}`);
        printLine(
          `- ${backup.completeNodes.length} nodes completed, ${backup.incompleteNodes.length} nodes incomplete, ` +
            `${backup.missingNodes.length} nodes missing`,
        );
        if (backup.incompleteNodes.length > 0) {
          printLine('- Incomplete nodes:');
          for (const nb of backup.incompleteNodes) printLine(`    ${nb.fqdn}`);
        }
        if (backup.missingNodes.length > 0) {
          printLine('- Missing nodes:');
          for (const fqdn of backup.missingNodes) printLine(`    ${fqdn}`);
        }
        const totals = clusterTotals(detailed);
        printLine(`- ${totals.numObjects} files, ${formatBytesStr(totals.size)}`);
      }),
    );
}
