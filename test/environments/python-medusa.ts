/**
 * Test environment `python-medusa`: the original Python Medusa 0.30.0, installed from PyPI into a
 * virtualenv under the gitignored `.cache/python-medusa`, used as the reference oracle by the
 * `interop` group (and by `scripts/capture-python-goldens.ts`).
 *
 * `up()` is idempotent and fast when the venv already reports the pinned version; otherwise it
 * (re)creates the venv and installs the pinned release. It exports `MEDUSA_PY_BIN`, the absolute
 * path of the venv's `medusa` executable. Nothing is started, so `down()` has nothing to stop.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestEnvironment } from '../run.js';

/** The Python Medusa release the reference spec (medusa-reference.md) describes. */
export const PYTHON_MEDUSA_VERSION = '0.30.0';

const root = join(import.meta.dirname, '..', '..');
/** Where the venv lives; `.cache/` is gitignored so CI builds it from scratch. */
export const PYTHON_MEDUSA_VENV = join(root, '.cache', 'python-medusa');
/** The venv's `medusa` console script. */
export const PYTHON_MEDUSA_BIN = join(PYTHON_MEDUSA_VENV, 'bin', 'medusa');

interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], timeoutMs: number): RunResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) return { status: null, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}\n${r.error.message}` };
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function must(what: string, r: RunResult): void {
  if (r.status !== 0) {
    const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-25).join('\n');
    throw new Error(`python-medusa: ${what} failed (exit ${String(r.status)}):\n${tail}`);
  }
}

/** The installed version, or undefined when the venv is absent or broken. */
function installedVersion(): string | undefined {
  if (!existsSync(PYTHON_MEDUSA_BIN)) return undefined;
  const r = run(PYTHON_MEDUSA_BIN, ['--version'], 60_000);
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Debian splits `ensurepip` into python3-venv; a fresh machine may lack it. */
function ensureVenvModule(): void {
  if (run('python3', ['-c', 'import ensurepip, venv'], 30_000).status === 0) return;
  must('apt-get update', run('apt-get', ['update', '-q'], 300_000));
  must('apt-get install python3-venv', run('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'python3-venv'], 600_000));
}

function install(): void {
  ensureVenvModule();
  // A half-built venv (interrupted pip) is not worth repairing: start over.
  rmSync(PYTHON_MEDUSA_VENV, { recursive: true, force: true });
  mkdirSync(join(root, '.cache'), { recursive: true });
  must('python3 -m venv', run('python3', ['-m', 'venv', PYTHON_MEDUSA_VENV], 300_000));
  const pip = join(PYTHON_MEDUSA_VENV, 'bin', 'pip');
  must(
    `pip install cassandra-medusa==${PYTHON_MEDUSA_VERSION}`,
    run(pip, ['install', '-q', '--disable-pip-version-check', `cassandra-medusa==${PYTHON_MEDUSA_VERSION}`], 1_200_000),
  );
}

/**
 * Makes sure the pinned Python Medusa is installed and returns its path. Concurrent callers
 * (two test runs, or a test run and the golden-capture script) serialise on a lock file through
 * `flock`, so only one of them installs.
 */
export function ensurePythonMedusa(): string {
  if (installedVersion() === PYTHON_MEDUSA_VERSION) return PYTHON_MEDUSA_BIN;
  mkdirSync(join(root, '.cache'), { recursive: true });
  const lock = join(root, '.cache', 'python-medusa.lock');
  // Re-enter this module under the lock; the inner run re-checks, so a finished install is reused.
  const self = join(import.meta.dirname, 'python-medusa.ts');
  const r = spawnSync('flock', [lock, process.execPath, '--import', 'tsx', self, '--install'], {
    stdio: 'inherit',
    cwd: root,
    timeout: 1_800_000,
  });
  if (r.error) throw new Error(`python-medusa: cannot run flock: ${r.error.message}`);
  const version = installedVersion();
  if (version !== PYTHON_MEDUSA_VERSION) {
    throw new Error(
      `python-medusa: after install, ${PYTHON_MEDUSA_BIN} --version gives ${String(version)}, expected ${PYTHON_MEDUSA_VERSION}`,
    );
  }
  return PYTHON_MEDUSA_BIN;
}

const environment: TestEnvironment = {
  name: 'python-medusa',
  up(): Promise<Record<string, string>> {
    return Promise.resolve({ MEDUSA_PY_BIN: ensurePythonMedusa() });
  },
  down(): Promise<void> {
    return Promise.resolve();
  },
};

export default environment;

// Entry used by ensurePythonMedusa() while it holds the lock.
if (process.argv.includes('--install') && process.argv[1] === join(import.meta.dirname, 'python-medusa.ts')) {
  if (installedVersion() !== PYTHON_MEDUSA_VERSION) install();
}
