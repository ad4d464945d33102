/**
 * Runs the built `bin/medusa` as a child process, as an operator or cron would, and captures what it
 * prints. Tests need `npm run build` first (the test script does it).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const MEDUSA_BIN = join(import.meta.dirname, '..', '..', 'bin', 'medusa');

export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout split into lines, without the final empty one. */
  readonly lines: string[];
}

let processCacheDir: string | undefined;

/**
 * The environment a test's `medusa` runs with: TZ=UTC and, unless the test chose where the cache
 * lives (`MEDUSA_CACHE_DIR`, `XDG_CACHE_HOME` or `HOME`), a cache folder of this test process. The
 * backup locks and the hash cache live there: shared with the user's `~/.cache`, or between test
 * files running at once, one file's lock could hold back another's orphan cleanup.
 */
function childEnv(env: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  const chosen = env && ['MEDUSA_CACHE_DIR', 'XDG_CACHE_HOME', 'HOME'].some((k) => k in env);
  if (!chosen && processCacheDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'medusa-test-cache-'));
    processCacheDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return { ...process.env, TZ: 'UTC', ...(chosen ? {} : { MEDUSA_CACHE_DIR: processCacheDir }), ...env };
}

/**
 * Runs `medusa <args>` with TZ=UTC in `cwd`; never throws on a non-zero exit. `timeoutMs` (default
 * 60 s) bounds the run: commands that touch a real node (nodetool JVMs) need more on a busy machine.
 */
export function runMedusa(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): CliResult {
  const r = spawnSync(MEDUSA_BIN, args, {
    cwd: options.cwd,
    env: childEnv(options.env),
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
  });
  if (r.error) throw r.error;
  const stdout = r.stdout;
  return { status: r.status ?? -1, stdout, stderr: r.stderr, lines: stdout === '' ? [] : stdout.replace(/\n$/, '').split('\n') };
}

/**
 * `runMedusa` without blocking the event loop: for tests whose own process serves something the
 * command calls (a stand-in HTTP server). The child is killed at `timeoutMs` (default 60 s).
 */
export function runMedusaAsync(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(MEDUSA_BIN, args, { cwd: options.cwd, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ status: code ?? (signal ? 128 : -1), stdout, stderr, lines: stdout === '' ? [] : stdout.replace(/\n$/, '').split('\n') });
    });
  });
}

/** A scratch folder removed by `cleanup`. */
export function scratchDir(prefix = 'medusa-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a medusa.ini for the local provider into `dir` and returns its path. */
export function writeLocalIni(dir: string, settings: { basePath: string; bucket: string; fqdn: string; prefix?: string; extra?: string }): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'medusa.ini');
  writeFileSync(
    file,
    [
      '[storage]',
      'storage_provider = local',
      `base_path = ${settings.basePath}`,
      `bucket_name = ${settings.bucket}`,
      `fqdn = ${settings.fqdn}`,
      ...(settings.prefix ? [`prefix = ${settings.prefix}`] : []),
      settings.extra ?? '',
      '',
    ].join('\n'),
  );
  return file;
}
