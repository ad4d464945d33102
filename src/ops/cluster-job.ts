/**
 * What backup-cluster and restore-cluster share: the command line of OUR `medusa` on a host
 * (a configurable command, `medusa` on PATH by default, plus the global options worth forwarding),
 * and the local job folder `<temp-dir>/medusa-job-<id>`.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { JobOptions } from '../remote/job.js';
import { shellJoin } from '../remote/shell-quote.js';
import type { ProgressReporter } from '../transfer/progress.js';
import { UsageError } from '../util/errors.js';

/** Env variable naming the medusa command to run on each host (default `medusa`). */
export const REMOTE_MEDUSA_ENV = 'MEDUSA_REMOTE_COMMAND';

/** How to call medusa on a host. */
export interface RemoteMedusa {
  /** Shell words put first, as given (e.g. `medusa` or `/opt/medusa-ts/bin/medusa`). */
  readonly command: string;
  /** Global options forwarded to every remote run (config file, bucket, prefix). */
  readonly globals: readonly string[];
}

/**
 * The global options a cluster command forwards to each host's medusa. The hosts read
 * `remoteConfigFile` when given (`--remote-config-file`), else this run's `--config-file` (as
 * Medusa), else their default `/etc/medusa/medusa.ini`.
 */
export function forwardedGlobals(g: { configFile?: string; bucketName?: string; prefix?: string }, remoteConfigFile?: string): string[] {
  const configFile = remoteConfigFile ?? g.configFile;
  return [
    ...(configFile !== undefined ? [`--config-file=${configFile}`] : []),
    ...(g.bucketName !== undefined ? [`--bucket-name=${g.bucketName}`] : []),
    ...(g.prefix !== undefined ? [`--prefix=${g.prefix}`] : []),
  ];
}

/** The remote medusa command from an option value, else the env variable, else `medusa`. */
export function remoteMedusaCommand(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const c = option ?? env[REMOTE_MEDUSA_ENV] ?? 'medusa';
  if (c.trim() === '') throw new UsageError('the remote medusa command is empty');
  return c;
}

/** `medusa <globals> [extraGlobals] <subcommand args>` as one shell command line. */
export function medusaCommandLine(m: RemoteMedusa, extraGlobals: readonly string[], args: readonly string[]): string {
  return `${m.command} ${shellJoin([...m.globals, ...extraGlobals, ...args])}`;
}

/** Creates `<tempDir>/medusa-job-<uuid>`; the temp dir must exist (reference §4.8 step 1). */
export function createJobDir(tempDir: string, id: string = randomUUID()): string {
  let isDir = false;
  try {
    isDir = statSync(tempDir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new UsageError(`--temp-dir ${tempDir} is not a directory`);
  const dir = join(tempDir, `medusa-job-${id}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The job option that tells `progress` where each host is, when it shows hosts. */
export function hostStates(progress: ProgressReporter | undefined): Pick<JobOptions, 'onHostState'> {
  const show = progress?.hostStep?.bind(progress);
  return show ? { onHostState: show } : {};
}
