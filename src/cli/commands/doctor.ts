/** `medusa doctor`: check this node's whole setup, one line per check; exit 0 only when all pass. */
import { Option, type Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { remoteMedusaCommand } from '../../ops/cluster-job.js';
import { runDoctor } from '../../ops/doctor/doctor.js';
import { SshExecutor } from '../../remote/ssh-executor.js';
import { systemClock } from '../../util/clock.js';
import { OperationError } from '../../util/errors.js';
import { configLoadOptions } from '../context.js';
import { printLine } from '../output.js';
import { doctorJson, doctorLine, doctorSummary } from '../render/doctor.js';
import type { GlobalsGetter } from './index.js';

export function registerDoctor(program: Command, globals: GlobalsGetter): void {
  program
    .command('doctor')
    .description('Check the configuration, storage, Cassandra, data directories and SSH hosts; exit 0 only when every check passes')
    .option('--skip-ssh', 'leave out the [ssh] checks (for nodes that never run backup-cluster or restore-cluster)', false)
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: { skipSsh: boolean; output: 'text' | 'json' }) => {
      const text = opts.output === 'text';
      const report = await runDoctor(
        {
          loadConfig: () => loadConfig(configLoadOptions(globals())),
          sshExecutor: (config) => new SshExecutor({ ssh: config.ssh, useSudo: config.cassandra.use_sudo }),
          clock: systemClock,
          ...(text ? { onResult: (r) => printLine(doctorLine(r)) } : {}),
        },
        { skipSsh: opts.skipSsh, remoteMedusaCommand: remoteMedusaCommand(undefined) },
      );
      printLine(text ? doctorSummary(report) : doctorJson(report));
      if (!report.healthy) throw new OperationError(doctorSummary(report));
    });
}
