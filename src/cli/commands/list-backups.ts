/** `medusa list-backups`: the cluster backups in the bucket (reference §6.4). */
import { Option, type Command } from 'commander';
import { dumpsPython } from '../../domain/python-json.js';
import { listBackupDetails, listBackups } from '../../ops/api/backups.js';
import { formatLocalTimestamp } from '../../util/medusa-format.js';
import { clusterBackupJson } from '../render/backup-json.js';
import { withCommandContext } from '../context.js';
import { printLine } from '../output.js';
import type { GlobalsGetter } from './index.js';

interface ListBackupsOptions {
  showAll?: boolean;
  output: 'text' | 'json';
}

export function registerListBackups(program: Command, globals: GlobalsGetter): void {
  program
    .command('list-backups')
    .description('List backups (by default those this node took part in)')
    .option('--show-all', 'list all backups in the bucket')
    .option('--no-show-all', 'list only the backups of this node (default)')
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((opts: ListBackupsOptions) =>
      withCommandContext(globals(), async (session) => {
        const request = { showAll: opts.showAll === true };
        if (opts.output === 'json') {
          const details = await listBackupDetails(session, request);
          printLine(dumpsPython(details.map(clusterBackupJson), { sortKeys: true, ensureAscii: false }));
          return;
        }
        let seenIncomplete = false;
        for (const b of await listBackups(session, request)) {
          let finished: string;
          if (b.finished !== undefined) {
            finished = formatLocalTimestamp(b.finished);
          } else {
            seenIncomplete = true;
            finished = `Incomplete [${b.completeNodes.length} of ${b.tokenmap.size} nodes finished]`;
          }
          printLine(`${b.name} (started: ${formatLocalTimestamp(b.started)}, finished: ${finished})`);
        }
        if (seenIncomplete) {
          printLine('');
          printLine('Incomplete backups found. You can run "medusa status --backup-name <name>" for more details');
        }
      }),
    );
}
