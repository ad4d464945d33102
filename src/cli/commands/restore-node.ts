/** `medusa restore-node`: restore this node (or `--fqdn`'s backup onto it) from a backup (reference §5.1-5.3). */
import type { Command } from 'commander';
import { runRestoreNode } from '../../ops/api/restore-node.js';
import { withProgressContext } from '../context.js';
import { outputOption, printLine, type OutputFormat } from '../output.js';
import { ProgressLine } from '../render/progress-line.js';
import { jsonLine, restoreNodeJson } from '../render/summary-json.js';
import { collectRepeatable } from './download.js';
import type { GlobalsGetter } from './index.js';

interface RestoreNodeOptions {
  tempDir: string;
  backupName: string;
  inPlace: boolean;
  keepAuth: boolean;
  seeds?: string;
  verify: boolean;
  keyspace: string[];
  table: string[];
  useSstableloader: boolean;
  versionTarget: string;
  output: OutputFormat;
}

export function registerRestoreNode(program: Command, globals: GlobalsGetter): void {
  program
    .command('restore-node')
    .description('Restore a single node from a backup')
    .option('--temp-dir <dir>', 'folder to download into when the data directory has no room', '/tmp')
    .requiredOption('--backup-name <name>', 'backup name')
    .option('--in-place', 'restore onto the node that was backed up (default)', true)
    .option('--remote', 'restore onto another node: its identity is kept, the backup tokens are pinned')
    .option('--keep-auth', 'leave system_auth untouched (not with --in-place)', false)
    .option('--seeds <hosts>', 'comma-separated seeds to wait for before starting Cassandra')
    .option('--verify', 'check the restore with the [checks] query', false)
    .option('--no-verify', 'do not check the restore (default)')
    .option('--keyspace <keyspace>', 'restore this keyspace (repeatable)', collectRepeatable, [])
    .option('--table <keyspace.table>', 'restore this table (repeatable)', collectRepeatable, [])
    .option('--use-sstableloader', 'load the tables with sstableloader into the running cluster', false)
    .option('--version-target <version>', 'Cassandra version of the target (accepted for compatibility)', '3.11.9')
    .addOption(outputOption())
    .action((opts: RestoreNodeOptions & { remote?: boolean }) =>
      withProgressContext(globals(), ProgressLine.forTerminal(), async (session, run) => {
        const result = await runRestoreNode(session, {
          backupName: opts.backupName,
          inPlace: opts.remote !== true,
          keepAuth: opts.keepAuth,
          seeds: (opts.seeds ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''),
          verify: opts.verify,
          filter: { keyspaces: opts.keyspace, tables: opts.table },
          useSstableloader: opts.useSstableloader,
          tempDir: opts.tempDir,
          versionTarget: opts.versionTarget,
        }, run);
        for (const r of result.restored) session.log.info(`Restore of ${r.fqdn} (${opts.backupName}) finished: ${r.plan.totalFiles} files, ${r.plan.totalBytes} bytes`);
        if (opts.output === 'json') printLine(jsonLine(restoreNodeJson(opts.backupName, result)));
      }),
    );
}
