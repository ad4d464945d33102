/**
 * `medusa verify`: completeness and integrity of one backup (reference §6.2), or with `--all` of
 * every backup of the bucket; exit 1 on any problem.
 *
 * `--all` prints each backup's block as `verify --backup-name` does, then one summary line. An
 * incomplete backup (a crashed run) is shown as such but does not fail the run: `--all` is for
 * finding damaged complete backups, and a bucket often keeps an unfinished one.
 */
import type { Command } from 'commander';
import { describeVerifyProblem } from '../../plan/verify-plan.js';
import { runVerify, runVerifyAll, type VerifyReport } from '../../ops/api/maintenance.js';
import { OperationError, UsageError } from '../../util/errors.js';
import { withProgressContext } from '../context.js';
import { outputOption, printLine, type OutputFormat } from '../output.js';
import { ProgressLine } from '../render/progress-line.js';
import { jsonLine, verifyAllJson, verifyReportJson } from '../render/summary-json.js';
import type { GlobalsGetter } from './index.js';

/** What failed in a report, if anything. */
function outcomeOf({ detailed, problems }: VerifyReport): 'incomplete' | 'failed' | undefined {
  if (!detailed.backup.complete) return 'incomplete';
  return problems.length > 0 ? 'failed' : undefined;
}

/** Prints a report's block; returns what failed, if anything. */
function printReport({ detailed, problems }: VerifyReport): 'incomplete' | 'failed' | undefined {
  const { backup } = detailed;
  printLine(`Validating ${backup.name} ...`);
  if (!backup.complete) {
    printLine('- Completion: Not complete!');
    for (const nb of backup.incompleteNodes) printLine(`  - [${nb.fqdn}] Backup started at ${nb.started}, but not finished yet`);
    for (const fqdn of backup.missingNodes) printLine(`  - [${fqdn}] Backup missing`);
    return 'incomplete';
  }
  printLine('- Completion: OK!');
  if (problems.length > 0) {
    printLine('- Manifest validation: Failed!');
    for (const p of problems) printLine(describeVerifyProblem(p));
    return 'failed';
  }
  printLine('- Manifest validated: OK!!');
  return undefined;
}

export function registerVerify(program: Command, globals: GlobalsGetter): void {
  program
    .command('verify')
    .description('Verify the integrity of a backup (or of every backup with --all)')
    .option('--backup-name <name>', 'backup name')
    .option('--all', 'verify every backup of the bucket (each stored object is listed and hashed once)', false)
    .option('--enable-md5-checks', 'also compare hashes (in addition to sizes)', false)
    .addOption(outputOption())
    .action((opts: { backupName?: string; all: boolean; enableMd5Checks: boolean; output: OutputFormat }) => {
      if ((opts.backupName === undefined) === !opts.all) throw new UsageError('verify needs exactly one of --backup-name NAME and --all');
      const json = opts.output === 'json';
      return withProgressContext(globals(), ProgressLine.forTerminal(), async (session, run) => {
        if (opts.backupName !== undefined) {
          const report = await runVerify(session, { backupName: opts.backupName, enableMd5Checks: opts.enableMd5Checks }, run);
          if (json) printLine(jsonLine(verifyReportJson(report)));
          const outcome = json ? outcomeOf(report) : printReport(report);
          if (outcome === 'incomplete') throw new OperationError('Backup is incomplete');
          if (outcome === 'failed') throw new OperationError('Manifest validation failed');
          return;
        }
        const failed: string[] = [];
        const incomplete: string[] = [];
        const reports = await runVerifyAll(
          session,
          { enableMd5Checks: opts.enableMd5Checks },
          (r) => {
            const outcome = json ? outcomeOf(r) : printReport(r);
            if (outcome === 'failed') failed.push(r.detailed.backup.name);
            if (outcome === 'incomplete') incomplete.push(r.detailed.backup.name);
          },
          run,
        );
        if (json) printLine(jsonLine(verifyAllJson(reports)));
        const skipped = incomplete.length > 0 ? `; ${incomplete.length} incomplete, not verified: ${incomplete.join(', ')}` : '';
        if (failed.length > 0) {
          if (!json) printLine(`${failed.length} of ${reports.length} backups failed validation: ${failed.join(', ')}${skipped}`);
          throw new OperationError(`Manifest validation failed for ${failed.join(', ')}`);
        }
        if (!json) printLine(`All ${reports.length - incomplete.length} complete backups validated${skipped}`);
      });
    });
}
