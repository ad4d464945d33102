/**
 * Runs one step of an orchestration (e.g. "snapshot", "backup") on many hosts: at most
 * `parallelism` hosts at once, each host's stdout/stderr kept in the local job folder
 * `<jobDir>/<host>/<step>/`, a dropped connection re-attached to the still-running job (see
 * job-wrapper.ts), and an outcome per host. Nothing here throws for a host failure.
 */
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { assertSegment } from '../layout/segments.js';
import type { Logger } from '../util/logger.js';
import { redactPasswordText } from '../util/redact-password.js';
import { wrapJobCommand } from './job-wrapper.js';
import type { HostStepState } from '../transfer/progress.js';
import type { CommandOutcome, RemoteExecutor } from './types.js';

/** One host's command for a step. */
export interface HostCommand {
  readonly host: string;
  readonly command: string;
}

/** How one host did in one step. */
export interface HostOutcome extends CommandOutcome {
  readonly host: string;
  readonly step: string;
  readonly ok: boolean;
  /** Local folder holding this host's `stdout` and `stderr` for the step. */
  readonly logDir: string;
  /** Last non-empty lines of the host's stderr (for the summary). */
  readonly stderrTail: string;
}

/** A job: a local folder plus the executor; `runStep` may be called several times. */
export interface JobOptions {
  readonly executor: RemoteExecutor;
  /** Local job folder, `<temp-dir>/medusa-job-<id>`; also the remote job folder's parent. */
  readonly jobDir: string;
  readonly log: Logger;
  /** Per-host command timeout. */
  readonly timeoutMs: number;
  /** Re-attach attempts after a dropped connection (default 3). */
  readonly reattachAttempts?: number;
  /** Pause before re-attaching (default 5 s). */
  readonly reattachDelayMs?: number;
  /** Run commands under the job wrapper (pid/status files on the host). Default true. */
  readonly wrap?: boolean;
  /**
   * Told where each host is: `waiting` for its turn, `running` (again with the last line it logged,
   * as it logs), then `done` or `failed`. Must be cheap and must not throw.
   */
  readonly onHostState?: (host: string, step: string, state: HostStepState, detail?: string) => void;
}

/** The last non-empty lines, passwords masked (they end up in log lines). */
function tail(text: string, lines = 3): string {
  return redactPasswordText(text)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .slice(-lines)
    .join(' | ');
}

/** The last non-empty line, passwords masked, for a progress display. */
function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return redactPasswordText(lines[lines.length - 1] ?? '');
}

/** Runs `commands` (one per host) as step `step`; resolves with one outcome per host, in input order. */
export async function runStep(job: JobOptions, step: string, commands: readonly HostCommand[], parallelism: number): Promise<HostOutcome[]> {
  assertSegment('step', step);
  const limit = pLimit(Math.max(1, parallelism));
  for (const c of commands) job.onHostState?.(c.host, step, 'waiting');
  return Promise.all(
    commands.map((c) =>
      limit(async () => {
        const outcome = await runOne(job, step, c);
        job.onHostState?.(c.host, step, outcome.ok ? 'done' : 'failed');
        return outcome;
      }),
    ),
  );
}

async function runOne(job: JobOptions, step: string, { host, command }: HostCommand): Promise<HostOutcome> {
  // A host name becomes a folder name: refuse anything that could escape the job folder.
  assertSegment('host', host);
  const logDir = join(job.jobDir, host, step);
  mkdirSync(logDir, { recursive: true });
  const remoteDir = join(logDir, 'remote');
  const line = job.wrap === false ? command : wrapJobCommand(remoteDir, command);
  let stderrText = '';
  let outcome: CommandOutcome = { exitCode: undefined, failure: { kind: 'error', message: 'not run' } };
  const attempts = 1 + (job.reattachAttempts ?? 3);
  job.onHostState?.(host, step, 'running');
  for (let attempt = 1; attempt <= attempts; attempt++) {
    // The wrapper replays the whole output on re-attach, so each attempt rewrites the files.
    const out = createWriteStream(join(logDir, 'stdout'));
    const err = createWriteStream(join(logDir, 'stderr'));
    stderrText = '';
    job.log.debug(`${host} [${step}]: ${redactPasswordText(command)}`);
    outcome = await job.executor.run(
      host,
      line,
      {
        stdout: (d) => out.write(d),
        stderr: (d) => {
          err.write(d);
          stderrText = (stderrText + d.toString('utf8')).slice(-8192);
          if (job.onHostState) job.onHostState(host, step, 'running', lastLine(stderrText));
        },
      },
      { timeoutMs: job.timeoutMs },
    );
    await Promise.all([new Promise((r) => out.end(r)), new Promise((r) => err.end(r))]);
    const retry = outcome.failure?.kind === 'connection-lost' && job.wrap !== false && attempt < attempts;
    if (!retry) break;
    job.log.warning(`${host} [${step}]: ${outcome.failure?.message ?? 'connection lost'}; re-attaching to the job (attempt ${attempt + 1} of ${attempts})`);
    await new Promise((r) => setTimeout(r, job.reattachDelayMs ?? 5000));
  }
  const ok = outcome.exitCode === 0 && outcome.failure === undefined;
  writeFileSync(join(logDir, 'outcome.json'), `${JSON.stringify({ host, step, ok, exitCode: outcome.exitCode ?? null, failure: outcome.failure ?? null })}\n`);
  return { host, step, ok, exitCode: outcome.exitCode, ...(outcome.failure ? { failure: outcome.failure } : {}), logDir, stderrTail: tail(stderrText) };
}

/** One line per failed host: `host: why (log: dir)`. */
export function describeFailures(outcomes: readonly HostOutcome[]): string[] {
  return outcomes
    .filter((o) => !o.ok)
    .map((o) => {
      const why = o.failure?.kind === 'exit' ? `exit code ${String(o.exitCode)}` : `${o.failure?.kind ?? 'failed'}: ${o.failure?.message ?? ''}`;
      return `${o.host} [${o.step}]: ${why}${o.stderrTail ? ` (${o.stderrTail})` : ''} (log: ${o.logDir})`;
    });
}

/** Hosts that failed, in input order. */
export function failedHosts(outcomes: readonly HostOutcome[]): string[] {
  return outcomes.filter((o) => !o.ok).map((o) => o.host);
}
