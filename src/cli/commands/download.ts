/** `medusa download`: one node backup's files into a folder, checked, without touching Cassandra (reference §5.5). */
import type { Command } from 'commander';
import { runDownload } from '../../ops/api/download.js';
import { withProgressContext } from '../context.js';
import { outputOption, printLine, type OutputFormat } from '../output.js';
import { ProgressLine } from '../render/progress-line.js';
import { downloadSummaryJson, jsonLine } from '../render/summary-json.js';
import type { GlobalsGetter } from './index.js';

/** Commander collector for repeatable options. */
export function collectRepeatable(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerDownload(program: Command, globals: GlobalsGetter): void {
  program
    .command('download')
    .description("Download this node's backup files (or --fqdn's) into a folder")
    .requiredOption('--backup-name <name>', 'backup name')
    .requiredOption('--download-destination <dir>', 'existing folder to download into')
    .option('--keyspace <keyspace>', 'download this keyspace (repeatable)', collectRepeatable, [])
    .option('--table <keyspace.table>', 'download this table (repeatable)', collectRepeatable, [])
    .option('--ignore-system-keyspaces', 'do not download the system keyspaces unless named', false)
    .addOption(outputOption())
    .action((opts: { backupName: string; downloadDestination: string; keyspace: string[]; table: string[]; ignoreSystemKeyspaces: boolean; output: OutputFormat }) =>
      withProgressContext(globals(), ProgressLine.forTerminal(), async (session, run) => {
        const { summary } = await runDownload(
          session,
          {
            backupName: opts.backupName,
            destination: opts.downloadDestination,
            filter: { keyspaces: opts.keyspace, tables: opts.table, ignoreSystemKeyspaces: opts.ignoreSystemKeyspaces },
          },
          run,
        );
        session.log.info(
          `Downloaded ${summary.filesDownloaded} files (${summary.bytesDownloaded} bytes), kept ${summary.filesKept} files already present (${summary.bytesKept} bytes)`,
        );
        if (opts.output === 'json') printLine(jsonLine(downloadSummaryJson(opts.backupName, opts.downloadDestination, summary)));
      }),
    );
}
