/** `medusa backup-cluster`: back up every node of the seed's datacenter over SSH (reference §4.8, design §2). */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { runBackupCluster } from '../../ops/api/backup-cluster.js';
import { systemClock } from '../../util/clock.js';
import { withProgressContext } from '../context.js';
import { HostProgressBlock } from '../render/host-progress.js';
import { outputOption, printLine, type OutputFormat } from '../output.js';
import { backupClusterJson, jsonLine } from '../render/summary-json.js';
import { commandWithLegacyFlags } from './legacy-short-flags.js';
import type { GlobalsGetter } from './index.js';

interface BackupClusterFlags {
  backupName?: string;
  seedTarget?: string;
  stagger?: number;
  enableMd5Checks: boolean;
  mode: 'full' | 'differential';
  tempDir: string;
  parallelSnapshots: number;
  parallelUploads: number;
  keepSnapshot: boolean;
  useExistingSnapshot: boolean;
  medusaCommand?: string;
  remoteConfigFile?: string;
  output: OutputFormat;
}

/** A commander parser for whole numbers of at least `min`. */
export function wholeNumber(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be a whole number >= ${min}`);
    return n;
  };
}

export function registerBackupCluster(program: Command, globals: GlobalsGetter): void {
  commandWithLegacyFlags(program, 'backup-cluster', { '-ps': '--parallel-snapshots', '-pu': '--parallel-uploads' })
    .description('Backup Cassandra cluster')
    .option('--backup-name <name>', 'custom name for the backup (default: local time %Y%m%d%H%M)')
    .option('--seed-target <host>', 'seed of the datacenter to back up (default: [storage] fqdn)')
    .option('--stagger <seconds>', 'each node waits up to this long for the node before it in the ring', wholeNumber(0))
    .option('--enable-md5-checks', 'also compare hashes of already stored files (differential)', false)
    .addOption(new Option('--mode <mode>', 'backup mode').choices(['full', 'differential']).default('differential'))
    .option('--temp-dir <dir>', 'local folder for the job logs', '/tmp')
    .option('--parallel-snapshots <n>', 'hosts snapshotted at once (-ps)', wholeNumber(1), 500)
    .option('--parallel-uploads <n>', 'hosts uploading at once (-pu)', wholeNumber(1), 1)
    .option('--keep-snapshot', 'do not clear the snapshots after the backup', false)
    .option('--use-existing-snapshot', 'back up the existing snapshot named --backup-name on each node', false)
    .option('--remote-config-file <path>', 'medusa.ini the hosts read (default: --config-file when given, else their /etc/medusa/medusa.ini)')
    .option('--medusa-command <command>', 'medusa command on the hosts (default: $MEDUSA_REMOTE_COMMAND, else medusa)')
    .addOption(outputOption())
    .action((opts: BackupClusterFlags) => {
      const startedAt = systemClock.now();
      return withProgressContext(globals(), HostProgressBlock.forTerminal(), async (session, run) => {
        const result = await runBackupCluster(session, {
          ...(opts.backupName !== undefined ? { backupName: opts.backupName } : {}),
          ...(opts.seedTarget !== undefined ? { seedTarget: opts.seedTarget } : {}),
          ...(opts.stagger !== undefined ? { stagger: opts.stagger } : {}),
          enableMd5Checks: opts.enableMd5Checks,
          mode: opts.mode,
          tempDir: opts.tempDir,
          parallelSnapshots: opts.parallelSnapshots,
          parallelUploads: opts.parallelUploads,
          keepSnapshot: opts.keepSnapshot,
          useExistingSnapshot: opts.useExistingSnapshot,
          ...(opts.medusaCommand !== undefined ? { medusaCommand: opts.medusaCommand } : {}),
          ...(opts.remoteConfigFile !== undefined ? { remoteConfigFile: opts.remoteConfigFile } : {}),
          startedAt,
        }, run);
        if (opts.output === 'json') return printLine(jsonLine(backupClusterJson(result)));
        printLine(`Backup done on ${result.hosts.length} hosts: ${result.hosts.join(', ')} (${Math.round(result.seconds)} s; logs in ${result.jobDir})`);
      });
    });
}
