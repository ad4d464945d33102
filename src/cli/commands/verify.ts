/** `medusa verify`: completeness and integrity of one backup (reference §6.2); exit 1 on any problem. */
import type { Command } from 'commander';
import { describeVerifyProblem } from '../../plan/verify-plan.js';
import { runVerify } from '../../ops/api/maintenance.js';
import { OperationError } from '../../util/errors.js';
import { withCommandContext } from '../context.js';
import { printLine } from '../output.js';
import type { GlobalsGetter } from './index.js';

export function registerVerify(program: Command, globals: GlobalsGetter): void {
  program
    .command('verify')
    .description('Verify the integrity of a backup')
    .requiredOption('--backup-name <name>', 'backup name')
    .option('--enable-md5-checks', 'also compare hashes (in addition to sizes)', false)
    .action((opts: { backupName: string; enableMd5Checks: boolean }) =>
      withCommandContext(globals(), async (session) => {
        const { detailed, problems } = await runVerify(session, { backupName: opts.backupName, enableMd5Checks: opts.enableMd5Checks });
        const { backup } = detailed;
        printLine(`Validating ${backup.name} ...`);
        if (!backup.complete) {
          printLine('- Completion: Not complete!');
          for (const nb of backup.incompleteNodes) printLine(`  - [${nb.fqdn}] Backup started at ${nb.started}, but not finished yet`);
          for (const fqdn of backup.missingNodes) printLine(`  - [${fqdn}] Backup missing`);
          throw new OperationError('Backup is incomplete');
        }
        printLine('- Completion: OK!');
        if (problems.length > 0) {
          printLine('- Manifest validation: Failed!');
          for (const p of problems) printLine(describeVerifyProblem(p));
          throw new OperationError('Manifest validation failed');
        }
        printLine('- Manifest validated: OK!!');
      }),
    );
}
