/** `medusa restore-cluster`: restore a cluster backup onto a cluster over SSH (reference §5.4, design §2.2). */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { RestoreClusterFailedError, runRestoreCluster } from '../../ops/api/restore-cluster.js';
import { UsageError } from '../../util/errors.js';
import { withProgressContext } from '../context.js';
import { HostProgressBlock } from '../render/host-progress.js';
import { outputOption, printLine, type OutputFormat } from '../output.js';
import { jsonLine, restoreClusterJson } from '../render/summary-json.js';
import { mappingLines, questionText, summaryLines } from '../render/restore-cluster.js';
import { wholeNumber } from './backup-cluster.js';
import { collectRepeatable } from './download.js';
import { commandWithLegacyFlags } from './legacy-short-flags.js';
import type { GlobalsGetter } from './index.js';

interface RestoreClusterFlags {
  backupName: string;
  seedTarget?: string;
  tempDir: string;
  hostList?: string;
  keepAuth?: boolean;
  bypassChecks: boolean;
  verify: boolean;
  keyspace: string[];
  table: string[];
  useSstableloader: boolean;
  parallelRestores: number;
  versionTarget: string;
  ignoreRacks: boolean;
  medusaCommand?: string;
  remoteConfigFile?: string;
  output: OutputFormat;
}

/**
 * Asks on stdin; y/yes (any case) is yes. End of input, or stdin that is not a terminal and has
 * nothing to say, is "no": a restore never proceeds on silence.
 */
function askStdin(question: string): Promise<boolean> {
  return new Promise((resolve) => {
    process.stderr.write(`${question} `);
    const rl = createInterface({ input: process.stdin, terminal: false });
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolve(/^(y|yes)$/i.test(line.trim()));
    });
    rl.once('close', () => {
      if (!answered) resolve(false);
    });
  });
}

export function registerRestoreCluster(program: Command, globals: GlobalsGetter): void {
  commandWithLegacyFlags(program, 'restore-cluster', { '-pr': '--parallel-restores' })
    .description('Restore Cassandra cluster')
    .requiredOption('--backup-name <name>', 'backup name')
    .option('--seed-target <host>', 'seed of the target cluster (its topology is read over CQL)')
    .option('--temp-dir <dir>', 'folder for downloads on the hosts and job logs here', '/tmp')
    .option('--host-list <file>', 'CSV of is_seed,target,source lines')
    .option('--keep-auth', 'leave system_auth of the target untouched (remote restores)')
    .option('--overwrite-auth', 'restore system_auth from the backup without asking (remote restores)')
    .option('-y, --bypass-checks', 'do not ask; restore an incomplete backup too', false)
    .option('--verify', 'check each host with the [checks] query after the restore', false)
    .option('--no-verify', 'do not check (default)')
    .option('--keyspace <keyspace>', 'restore this keyspace (repeatable)', collectRepeatable, [])
    .option('--table <keyspace.table>', 'restore this table (repeatable)', collectRepeatable, [])
    .option('--use-sstableloader', 'load the data with sstableloader into the running cluster', false)
    .option('--parallel-restores <n>', 'hosts restored at once (-pr)', wholeNumber(1), 500)
    .option('--version-target <version>', 'Cassandra version of the target (forwarded to restore-node)', '3.11.9')
    .option('--ignore-racks', 'pair hosts by token order whatever their racks', false)
    .option('--remote-config-file <path>', 'medusa.ini the hosts read (default: --config-file when given, else their /etc/medusa/medusa.ini)')
    .option('--medusa-command <command>', 'medusa command on the hosts (default: $MEDUSA_REMOTE_COMMAND, else medusa)')
    .addOption(outputOption())
    .action((opts: RestoreClusterFlags & { overwriteAuth?: boolean }) => {
      if (opts.keepAuth && opts.overwriteAuth) throw new UsageError('--keep-auth and --overwrite-auth are mutually exclusive');
      if (opts.seedTarget !== undefined && opts.hostList !== undefined) throw new UsageError('--seed-target and --host-list are mutually exclusive');
      return withProgressContext(globals(), HostProgressBlock.forTerminal(), async (session, run) => {
        const json = opts.output === 'json';
        const printAll = (lines: readonly string[]): void => lines.forEach((line) => printLine(line));
        // With --output json stdout holds the one document: the mapping is shown on stderr (before any question).
        const showMapping = (lines: readonly string[]): void => lines.forEach((line) => (json ? process.stderr.write(`${line}\n`) : printLine(line)));
        try {
          const result = await runRestoreCluster(
            session,
            {
              backupName: opts.backupName,
              ...(opts.seedTarget !== undefined ? { seedTarget: opts.seedTarget } : {}),
              ...(opts.hostList !== undefined ? { hostList: opts.hostList } : {}),
              tempDir: opts.tempDir,
              ...(opts.keepAuth ? { keepAuth: true } : opts.overwriteAuth ? { keepAuth: false } : {}),
              bypassChecks: opts.bypassChecks,
              verify: opts.verify,
              keyspaces: opts.keyspace,
              tables: opts.table,
              useSstableloader: opts.useSstableloader,
              parallelRestores: opts.parallelRestores,
              versionTarget: opts.versionTarget,
              ignoreRacks: opts.ignoreRacks,
              ...(opts.medusaCommand !== undefined ? { medusaCommand: opts.medusaCommand } : {}),
              ...(opts.remoteConfigFile !== undefined ? { remoteConfigFile: opts.remoteConfigFile } : {}),
            },
            { ...run, confirm: (q) => askStdin(questionText(q)), onMapping: (m) => showMapping(mappingLines(m)) },
          );
          if (json) printLine(jsonLine(restoreClusterJson(opts.backupName, result)));
          else printAll(summaryLines(result));
        } catch (err) {
          if (err instanceof RestoreClusterFailedError) {
            if (json) printLine(jsonLine(restoreClusterJson(opts.backupName, err.result)));
            else printAll(summaryLines(err.result));
          }
          throw err;
        }
      });
    });
}
