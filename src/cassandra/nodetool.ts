/**
 * nodetool, called exactly as Medusa calls it (reference §2.2):
 * `[nodetool_executable] + nodetool_flags + [--ssl] + [-u U] + [-pw P] + [-pwf F] + [-h H] + [-p P] + subcommand`.
 * Commands run without a shell. The password never appears in a log line or an error message:
 * {@link describeNodetoolCommand} masks it as Medusa 0.31 does (`-pw ***`), and so is any
 * `-pw`/`--password` value in nodetool's output.
 */
import { execFile } from 'node:child_process';
import type { CassandraSection } from '../config/types.js';
import { OperationError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { PASSWORD_MASK, redactPasswordArgs, redactPasswordText } from '../util/redact-password.js';

/** The `[cassandra]` keys that shape a nodetool command line. */
export type NodetoolSettings = Pick<
  CassandraSection,
  | 'nodetool_executable'
  | 'nodetool_flags'
  | 'nodetool_ssl'
  | 'nodetool_username'
  | 'nodetool_password'
  | 'nodetool_password_file_path'
  | 'nodetool_host'
  | 'nodetool_port'
>;

/** The full argv (executable first) for `subcommand`. */
export function nodetoolCommand(s: NodetoolSettings, subcommand: readonly string[]): string[] {
  const argv = [s.nodetool_executable, ...s.nodetool_flags.filter((f) => f !== '')];
  if (s.nodetool_ssl) argv.push('--ssl');
  if (s.nodetool_username !== undefined) argv.push('-u', s.nodetool_username);
  if (s.nodetool_password !== undefined) argv.push('-pw', s.nodetool_password);
  if (s.nodetool_password_file_path !== undefined) argv.push('-pwf', s.nodetool_password_file_path);
  if (s.nodetool_host !== undefined) argv.push('-h', s.nodetool_host);
  if (s.nodetool_port !== undefined) argv.push('-p', String(s.nodetool_port));
  return [...argv, ...subcommand];
}

/** The command line as text for logs: the value after `-pw` is replaced by `***`. */
export function describeNodetoolCommand(argv: readonly string[]): string {
  return redactPasswordArgs(argv).join(' ');
}

/** Output of a nodetool run that exited 0. */
export interface NodetoolOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one argv and resolves with its output; rejects on a non-zero exit. Replaceable in tests. */
export type CommandRunner = (argv: readonly string[], timeoutMs: number) => Promise<NodetoolOutput>;

/** nodetool failed: names the subcommand (password masked), the exit status and the output's last lines. */
export class NodetoolError extends OperationError {}

const defaultRunner: CommandRunner = (argv, timeoutMs) =>
  new Promise((resolve, reject) => {
    execFile(argv[0]!, argv.slice(1), { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err as Error, { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
  });

/**
 * What to show of a failed nodetool's output: its own `error: ...` line when it printed one
 * (nodetool follows it with a Java stack trace, whose last lines say nothing), else the last lines.
 */
function outputSummary(text: string, lines = 5): string {
  const all = text.trim().split('\n');
  const error = all.find((l) => l.startsWith('error: '));
  return error !== undefined ? error.trim() : all.slice(-lines).join(' | ');
}

/** nodetool for one node. */
export class Nodetool {
  private readonly run: CommandRunner;
  private readonly log: Logger | undefined;

  constructor(
    private readonly settings: NodetoolSettings,
    options: { runner?: CommandRunner; log?: Logger } = {},
  ) {
    this.run = options.runner ?? defaultRunner;
    this.log = options.log;
  }

  /** Runs `nodetool <subcommand>`; `NodetoolError` on failure (spawn error, non-zero exit, timeout). */
  async exec(subcommand: readonly string[], timeoutMs = 600_000): Promise<NodetoolOutput> {
    const argv = nodetoolCommand(this.settings, subcommand);
    const shown = describeNodetoolCommand(argv);
    this.log?.debug(`Executing: ${shown}`);
    try {
      return await this.run(argv, timeoutMs);
    } catch (err) {
      const e = err as { message?: string; stdout?: string; stderr?: string; code?: number | string; killed?: boolean };
      const status = e.killed ? `timed out after ${timeoutMs / 1000} s` : typeof e.code === 'number' ? `exit status ${e.code}` : String(e.code ?? e.message ?? err);
      const output = redactPasswordText(outputSummary(`${e.stdout ?? ''}
${e.stderr ?? ''}`));
      const masked = this.settings.nodetool_password ? output.split(this.settings.nodetool_password).join(PASSWORD_MASK) : output;
      throw new NodetoolError(`nodetool ${subcommand.join(' ')} failed (${status})${masked ? `: ${masked}` : ''} [command: ${shown}]`, { cause: err });
    }
  }

  /** `nodetool snapshot -t <tag>` (all keyspaces). */
  async snapshot(tag: string): Promise<void> {
    await this.exec(['snapshot', '-t', tag]);
  }

  /** `nodetool clearsnapshot -t <tag>`. */
  async clearSnapshot(tag: string): Promise<void> {
    await this.exec(['clearsnapshot', '-t', tag]);
  }
}
