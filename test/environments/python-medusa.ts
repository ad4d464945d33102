/**
 * Test environment `python-medusa`: the original Python Medusa 0.31.0, installed from PyPI into a
 * virtualenv under the gitignored `.cache/python-medusa`, used as the reference oracle by the
 * `interop` group (and by `scripts/capture-python-goldens.ts`).
 *
 * The same venv holds `grpcio`, `grpcio-health-checking` and `protobuf` at pinned versions, so the
 * wheel's own gRPC stubs (`medusa.service.grpc.medusa_pb2[_grpc]`) import and its gRPC server
 * (`python -m medusa.service.grpc.server`) runs: the wheel declares no grpc dependency (upstream
 * keeps it in a Poetry group), see medusa-agent.md §6.
 *
 * `up()` is idempotent and fast when the venv already holds every pinned version; otherwise it
 * (re)creates the venv and installs them. It exports `MEDUSA_PY_BIN` (the venv's `medusa`) and
 * `MEDUSA_PY_PYTHON` (the venv's `python`, for scripts that import the stubs). Nothing is started,
 * so `down()` has nothing to stop.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestEnvironment } from '../run.js';

/** The Python Medusa release medusa-ts replaces (medusa-reference.md plus medusa-agent.md §5). */
export const PYTHON_MEDUSA_VERSION = '0.31.0';

/**
 * Every distribution the venv must hold, at its exact version. The gRPC trio is the newest set
 * that fits together: grpcio-health-checking 1.85.1 wants grpcio >= 1.85.1 and protobuf >= 7.35.1,
 * and protobuf 7 still loads the wheel's stubs (generated for protobuf 4.25.3; such stubs carry no
 * runtime-version check), without a warning.
 */
export const PYTHON_MEDUSA_PINS: Readonly<Record<string, string>> = {
  'cassandra-medusa': PYTHON_MEDUSA_VERSION,
  grpcio: '1.85.3',
  'grpcio-health-checking': '1.85.1',
  protobuf: '7.36.2',
};

const root = join(import.meta.dirname, '..', '..');
/** Where the venv lives; `.cache/` is gitignored so CI builds it from scratch. */
export const PYTHON_MEDUSA_VENV = join(root, '.cache', 'python-medusa');
/** The venv's `medusa` console script. */
export const PYTHON_MEDUSA_BIN = join(PYTHON_MEDUSA_VENV, 'bin', 'medusa');
/** The venv's interpreter: it imports `medusa`, `grpc`, `grpc_health` and `google.protobuf`. */
export const PYTHON_MEDUSA_PYTHON = join(PYTHON_MEDUSA_VENV, 'bin', 'python');

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

/**
 * What the venv lacks: each pinned distribution whose installed version differs, as
 * `name==want (found)`, or one entry when the venv is absent or its stubs do not import.
 * Empty when the venv is complete.
 */
function missingPins(): string[] {
  if (!existsSync(PYTHON_MEDUSA_PYTHON) || !existsSync(PYTHON_MEDUSA_BIN)) return ['the venv'];
  const probe = [
    'import json, importlib.metadata as m',
    // Importing the server proves protobuf and grpcio load the wheel's generated stubs and that
    // Medusa's own requirements are whole.
    'import medusa.service.grpc.server, grpc_health.v1.health_pb2_grpc',
    `names = ${JSON.stringify(Object.keys(PYTHON_MEDUSA_PINS))}`,
    'print(json.dumps({n: m.version(n) for n in names}))',
  ].join('\n');
  const r = run(PYTHON_MEDUSA_PYTHON, ['-c', probe], 60_000);
  if (r.status !== 0) return [`importable stubs (${r.stderr.trim().split('\n').slice(-1)[0] ?? ''})`];
  const found = JSON.parse(r.stdout) as Record<string, string>;
  return Object.entries(PYTHON_MEDUSA_PINS)
    .filter(([name, want]) => found[name] !== want)
    .map(([name, want]) => `${name}==${want} (found ${String(found[name])})`);
}

/** 0.31 requires Python >=3.11,<3.13: the first interpreter on the PATH in that range. */
function pickPython(): string {
  const inRange = 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 13) else 1)';
  for (const candidate of ['python3.11', 'python3.12', 'python3']) {
    if (run(candidate, ['-c', inRange], 30_000).status === 0) return candidate;
  }
  throw new Error(`python-medusa: Medusa ${PYTHON_MEDUSA_VERSION} needs Python 3.11 or 3.12; none of python3.11, python3.12, python3 is one`);
}

/** Debian splits `ensurepip` into python3-venv; a fresh machine may lack it. */
function ensureVenvModule(python: string): void {
  if (run(python, ['-c', 'import ensurepip, venv'], 30_000).status === 0) return;
  must('apt-get update', run('apt-get', ['update', '-q'], 300_000));
  must('apt-get install python3-venv', run('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'python3-venv'], 600_000));
}

function install(): void {
  const python = pickPython();
  ensureVenvModule(python);
  // A half-built venv (interrupted pip, older pins) is not worth repairing: start over.
  rmSync(PYTHON_MEDUSA_VENV, { recursive: true, force: true });
  mkdirSync(join(root, '.cache'), { recursive: true });
  must(`${python} -m venv`, run(python, ['-m', 'venv', PYTHON_MEDUSA_VENV], 300_000));
  const pip = join(PYTHON_MEDUSA_VENV, 'bin', 'pip');
  // One pip call, so the resolver checks the gRPC pins against Medusa's own requirements.
  const specs = Object.entries(PYTHON_MEDUSA_PINS).map(([name, version]) => `${name}==${version}`);
  must(`pip install ${specs.join(' ')}`, run(pip, ['install', '-q', '--disable-pip-version-check', ...specs], 1_200_000));
}

/**
 * Makes sure the pinned Python Medusa is installed and returns its path. Concurrent callers
 * (two test runs, or a test run and the golden-capture script) serialise on a lock file through
 * `flock`, so only one of them installs.
 */
export function ensurePythonMedusa(): string {
  if (missingPins().length === 0) return PYTHON_MEDUSA_BIN;
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
  const missing = missingPins();
  if (missing.length > 0) {
    throw new Error(`python-medusa: after install, ${PYTHON_MEDUSA_VENV} still lacks ${missing.join(', ')}`);
  }
  return PYTHON_MEDUSA_BIN;
}

const environment: TestEnvironment = {
  name: 'python-medusa',
  up(): Promise<Record<string, string>> {
    return Promise.resolve({ MEDUSA_PY_BIN: ensurePythonMedusa(), MEDUSA_PY_PYTHON: PYTHON_MEDUSA_PYTHON });
  },
  down(): Promise<void> {
    return Promise.resolve();
  },
};

export default environment;

// Entry used by ensurePythonMedusa() while it holds the lock.
if (process.argv.includes('--install') && process.argv[1] === join(import.meta.dirname, 'python-medusa.ts')) {
  if (missingPins().length > 0) install();
}
