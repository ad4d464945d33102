/**
 * The `medusa` command line: global options, the commands, and the mapping of errors to one line
 * on stderr and an exit code (0 ok, 1 operation failed, 2 bad config or usage). The only place
 * that ends the process.
 */
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { ExitCode, MedusaError, describeError } from '../util/errors.js';
import { logger } from '../util/logger.js';
import { registerCommands } from './commands/index.js';
import type { GlobalOptions } from './global-options.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function buildProgram(): Command {
  const program = new Command('medusa');
  program
    .description('Backup and restore for Apache Cassandra (a drop-in replacement for cassandra-medusa)')
    .option('-v, --verbosity', 'verbosity: -v shows debug messages (repeatable)', (_v: string, previous: number) => previous + 1, 0)
    .option('--without-log-timestamp', 'do not show timestamps in log lines', false)
    .option('--config-file <path>', 'configuration file (default: /etc/medusa/medusa.ini)')
    .option('--bucket-name <name>', 'override [storage] bucket_name')
    .option('--key-file <path>', 'override [storage] key_file (storage credentials only)')
    .option('--prefix <prefix>', 'override [storage] prefix')
    .option('--fqdn <fqdn>', 'act as another host (override [storage] fqdn)')
    .option('--backup-grace-period-in-days <days>', 'override [storage] backup_grace_period_in_days')
    .option('--ssh-username <user>', 'override [ssh] username')
    .option('--ssh-key-file <path>', 'override [ssh] key_file')
    .addOption(new Option('--version', 'print the version and exit'))
    .enablePositionalOptions()
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) })
    .hook('preAction', (thisCommand) => {
      const globals = thisCommand.opts<GlobalOptions>();
      logger.configure({ verbosity: globals.verbosity, withoutTimestamp: globals.withoutLogTimestamp });
    });
  program.on('option:version', () => {
    process.stdout.write(`${packageVersion()}\n`);
    process.exit(ExitCode.ok);
  });
  registerCommands(program, () => program.opts<GlobalOptions>());
  return program;
}

function exitCodeOf(err: unknown): number {
  if (err instanceof MedusaError) return err.exitCode;
  return ExitCode.failed;
}

/**
 * A reader that stops early (`medusa list-backups | head`) closes stdout under us. The command
 * carries on (a backup or purge must never stop half-way because nobody reads its result), and
 * later result lines are dropped; any other stdout error still ends the process as before.
 */
function toleratePipeClosedByReader(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

async function main(argv: string[]): Promise<number> {
  toleratePipeClosedByReader();
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? ExitCode.ok : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were already printed by commander.
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    logger.error(describeError(err));
    if (logger.debugEnabled && err instanceof Error && err.stack) logger.debug(err.stack);
    return exitCodeOf(err);
  }
}

process.exitCode = await main(process.argv);
