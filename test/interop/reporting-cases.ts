/**
 * The reporting-command cases run against every fixture scenario, shared by the golden capture
 * (scripts/capture-python-goldens.ts, Python Medusa) and the interop test (reporting.test.ts, both
 * implementations). Not a test file itself.
 *
 * Callers may rely on: each case runs on a FRESH copy of the scenario's bucket in its own working
 * directory (Python Medusa rewrites the index and deletes markers while reading, and the local
 * metrics provider appends to `./metrics.json`); times are printed in UTC (`TZ=UTC`); outputs are
 * returned raw and normalised by `normaliseStderr`/`normaliseMetrics` only where they hold wall-clock
 * times or machine paths.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFixtureBucket } from '../support/fixture-bucket.js';
import { scenarioBackupNames, type FixtureScenario } from '../support/fixture-scenarios.js';

/** Bucket name used in every generated medusa.ini. */
export const BUCKET_NAME = 'medusa-fixtures';
/** A name no scenario uses, for the "unknown backup" error cases. */
export const UNKNOWN_BACKUP = 'no-such-backup';
/** Placeholder for the temp dir in stored inis and normalised stderr. */
export const BASE_PLACEHOLDER = '<BASE_PATH>';

/** Which medusa.ini a case runs with. */
export type IniKind = 'plain' | 'metrics';

/** One command line to run against a scenario. */
export interface ReportingCase {
  /** File-name-safe id; goldens are `<id>.stdout`, `<id>.stderr`, `<id>.exit` (+ `<id>.metrics.json`). */
  readonly id: string;
  /** Arguments after `--config-file <ini>`. */
  readonly args: readonly string[];
  readonly ini: IniKind;
  /** report-last-backup writes only logs: its stderr (normalised) is the output to compare. */
  readonly compareStderr: boolean;
  /** The case writes `metrics.json` in its working directory. */
  readonly metrics: boolean;
}

/** Every case for one scenario, in a stable order. */
export function reportingCases(s: FixtureScenario): ReportingCase[] {
  const c = (id: string, args: string[], extra: Partial<ReportingCase> = {}): ReportingCase => ({
    id,
    args,
    ini: 'plain',
    compareStderr: false,
    metrics: false,
    ...extra,
  });
  const cases: ReportingCase[] = [
    c('list-backups', ['list-backups']),
    c('list-backups--show-all', ['list-backups', '--show-all']),
    c('list-backups--json', ['list-backups', '--output', 'json']),
    c('list-backups--show-all--json', ['list-backups', '--show-all', '--output', 'json']),
  ];
  for (const name of [...scenarioBackupNames(s), UNKNOWN_BACKUP]) {
    cases.push(
      c(`status--${name}`, ['status', '--backup-name', name]),
      c(`status--${name}--json`, ['status', '--backup-name', name, '-o', 'json']),
      c(`verify--${name}`, ['verify', '--backup-name', name]),
      c(`verify--${name}--md5`, ['verify', '--backup-name', name, '--enable-md5-checks']),
      c(`fetch-tokenmap--${name}`, ['fetch-tokenmap', '--backup-name', name]),
    );
  }
  cases.push(
    c('get-last-complete-cluster-backup', ['get-last-complete-cluster-backup']),
    c('report-last-backup', ['report-last-backup'], { compareStderr: true }),
    c('report-last-backup--push-metrics', ['report-last-backup', '--push-metrics'], {
      ini: 'metrics',
      compareStderr: true,
      metrics: true,
    }),
  );
  return cases;
}

/**
 * The medusa.ini for a scenario. `[cassandra] config_file` points at a file that does not exist so
 * that report-last-backup's automatic build-index fails at once instead of trying to reach a
 * Cassandra node (it would otherwise read /etc/cassandra/cassandra.yaml and connect to whatever it names).
 */
export function iniText(s: FixtureScenario, basePath: string, kind: IniKind): string {
  const lines = [
    '[storage]',
    'storage_provider = local',
    `base_path = ${basePath}`,
    `bucket_name = ${BUCKET_NAME}`,
    `fqdn = ${s.localFqdn}`,
  ];
  if (s.bucket.prefix !== undefined) lines.push(`prefix = ${s.bucket.prefix}`);
  lines.push('', '[cassandra]', `config_file = ${basePath}/no-cassandra/cassandra.yaml`);
  if (kind === 'metrics') lines.push('', '[monitoring]', 'monitoring_provider = local');
  return `${lines.join('\n')}\n`;
}

/** What one run produced. */
export interface RunOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly exit: number;
  /** Content of `metrics.json` in the working directory, when the case expects one and it exists. */
  readonly metrics?: string;
  /** The temp dir that held the bucket (for normalisation). */
  readonly base: string;
}

/** How to start one implementation: executable plus leading arguments. */
export interface MedusaCommand {
  readonly file: string;
  readonly args: readonly string[];
}

function runProcess(cmd: MedusaCommand, args: readonly string[], cwd: string, timeoutMs: number): Promise<{ stdout: string; stderr: string; exit: number }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: cwd,
      TZ: 'UTC',
      LANG: 'C.UTF-8',
    };
    const child = spawn(cmd.file, [...cmd.args, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8');
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: signal ? `${stderr}\n<killed by ${signal} after ${timeoutMs} ms>` : stderr,
        exit: code ?? 128,
      });
    });
  });
}

/**
 * Writes a fresh copy of the scenario's bucket and its ini into a new temp dir, runs one case there
 * (working directory = that temp dir), and removes the temp dir. `timeoutMs` bounds the run
 * (Python's report-last-backup sleeps 2 x 15 s before giving up on a broken bucket).
 */
export async function runCase(cmd: MedusaCommand, s: FixtureScenario, c: ReportingCase, timeoutMs = 120_000): Promise<RunOutput> {
  const base = mkdtempSync(join(tmpdir(), 'medusa-interop-'));
  try {
    writeFixtureBucket(base, BUCKET_NAME, s.bucket);
    const ini = join(base, 'medusa.ini');
    writeFileSync(ini, iniText(s, base, c.ini));
    const r = await runProcess(cmd, ['--config-file', ini, ...c.args], base, timeoutMs);
    const metricsFile = join(base, 'metrics.json');
    const metrics = c.metrics && existsSync(metricsFile) ? readFileSync(metricsFile, 'utf8') : undefined;
    return { ...r, base, ...(metrics !== undefined ? { metrics } : {}) };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

/** Replaces wall-clock values and machine paths in stderr; everything else is kept byte for byte. */
export function normaliseStderr(stderr: string, base: string, extraPaths: Readonly<Record<string, string>> = {}): string {
  let s = stderr.split(base).join(BASE_PLACEHOLDER);
  for (const [path, placeholder] of Object.entries(extraPaths)) s = s.split(path).join(placeholder);
  return s
    .replace(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] /gm, '[<TIME>] ')
    .replace(/finished \d+ seconds ago/g, 'finished <SECONDS> seconds ago')
    .replace(/- Finished: \d+ seconds ago/g, '- Finished: <SECONDS> seconds ago');
}

/** Replaces the time-dependent `seconds-since-backup` values (except the fixed TRACKING-ERROR value). */
export function normaliseMetrics(metrics: string): string {
  return metrics.replace(
    /("tags": \["[^"]*", "seconds-since-backup", "(?!TRACKING-ERROR")[^"]*"\], "value": )\d+/g,
    '$1"<SECONDS>"',
  );
}

/** A Python crash: the output holds a traceback instead of a handled error. */
export function isPythonCrash(stderr: string): boolean {
  return stderr.includes('Traceback (most recent call last)');
}
