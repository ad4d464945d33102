/** `medusa doctor`: check this node's whole setup, one line per check; exit 0 only when all pass. */
import { Option, type Command } from 'commander';
import { runDoctorChecks } from '../../ops/api/doctor.js';
import { OperationError } from '../../util/errors.js';
import { sessionSource } from '../context.js';
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
      const report = await runDoctorChecks(sessionSource(globals()), {
        skipSsh: opts.skipSsh,
        ...(text ? { onResult: (r) => printLine(doctorLine(r)) } : {}),
      });
      printLine(text ? doctorSummary(report) : doctorJson(report));
      if (!report.healthy) throw new OperationError(doctorSummary(report));
    });
}
