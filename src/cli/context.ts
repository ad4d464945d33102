/**
 * The CLI's way into a session (ops/api/session.ts): `--config-file` and the global overrides
 * become the session source; the session is opened when a command runs (so `--help` and
 * `--version` need no config file).
 */
import { withSession, type ProgressReporter, type Session, type SessionOptions, type SessionSource } from '../ops/api/session.js';
import { logger, type Logger } from '../util/logger.js';
import type { GlobalOptions } from './global-options.js';

/** Where a CLI run's configuration comes from: the global options and this process's environment. */
export function sessionSource(globals: GlobalOptions): SessionSource {
  return {
    ...(globals.configFile !== undefined ? { configFile: globals.configFile } : {}),
    overrides: {
      ...(globals.bucketName !== undefined ? { bucket_name: globals.bucketName } : {}),
      ...(globals.keyFile !== undefined ? { key_file: globals.keyFile } : {}),
      ...(globals.prefix !== undefined ? { prefix: globals.prefix } : {}),
      ...(globals.fqdn !== undefined ? { fqdn: globals.fqdn } : {}),
      ...(globals.backupGracePeriodInDays !== undefined ? { backup_grace_period_in_days: globals.backupGracePeriodInDays } : {}),
      ...(globals.sshUsername !== undefined ? { ssh_username: globals.sshUsername } : {}),
      ...(globals.sshKeyFile !== undefined ? { ssh_key_file: globals.sshKeyFile } : {}),
    },
    env: process.env,
  };
}

/** Runs `body` with a session for the global options; its storage is closed in every path. */
export function withCommandContext<T>(globals: GlobalOptions, body: (session: Session) => Promise<T>, options: SessionOptions = {}): Promise<T> {
  return withSession(sessionSource(globals), body, options);
}

/** A terminal progress display (render/progress-line.ts, render/host-progress.ts). */
export interface TerminalProgress extends ProgressReporter {
  wrapLogger(log: Logger): Logger;
}

/**
 * {@link withCommandContext} with a progress display: `display` is undefined when stderr is not a
 * terminal (cron, a pipe), and then nothing changes; otherwise `body` gets it as `run.progress`
 * and the session's log lines erase and redraw it, so they never mix.
 */
export function withProgressContext<T>(
  globals: GlobalOptions,
  display: TerminalProgress | undefined,
  body: (session: Session, run: { progress?: ProgressReporter }) => Promise<T>,
): Promise<T> {
  return withCommandContext(globals, (session) => body(session, display ? { progress: display } : {}), display ? { log: display.wrapLogger(logger) } : {});
}
