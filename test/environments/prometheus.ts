/**
 * Test environment `prometheus`: the real Prometheus tools the `monitoring` group checks our
 * metrics with, installed idempotently under the gitignored `.cache/`:
 * - Prometheus's server and `promtool` from Debian's `prometheus` package, unpacked with
 *   `apt-get download` + `dpkg-deb -x` into `.cache/prometheus-<version>/` (nothing is installed
 *   system-wide, so no service is started and nothing outlives the run);
 * - Python's `prometheus_client` (its text-format parser) in a venv, `.cache/prometheus-client/`.
 *
 * Nothing is started here: each test starts its own server on free loopback ports. Exports
 * `MEDUSA_TEST_PROMETHEUS_BIN`, `MEDUSA_TEST_PROMTOOL_BIN` and `MEDUSA_TEST_PROM_PYTHON` (the
 * venv's python, which imports `prometheus_client`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestEnvironment } from '../run.js';

/** The `prometheus_client` release whose parser the tests use. */
export const PROMETHEUS_CLIENT_VERSION = '0.26.0';

const root = join(import.meta.dirname, '..', '..');
const cache = join(root, '.cache');
const TOOLS_DIR = join(cache, 'prometheus-debian');
const VENV = join(cache, 'prometheus-client');
const PYTHON = join(VENV, 'bin', 'python');

function run(cmd: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd: options.cwd, encoding: 'utf8', timeout: options.timeoutMs ?? 600_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return { status: r.error ? null : r.status, out: `${r.stdout ?? ''}\n${r.stderr ?? ''}\n${r.error?.message ?? ''}`.trim() };
}

function must(what: string, r: { status: number | null; out: string }): void {
  if (r.status !== 0) throw new Error(`prometheus environment: ${what} failed (exit ${String(r.status)}):\n${r.out.split('\n').slice(-20).join('\n')}`);
}

function toolsPresent(): boolean {
  return existsSync(join(TOOLS_DIR, 'prometheus')) && existsSync(join(TOOLS_DIR, 'promtool'));
}

/** Unpacks Debian's package into a temporary folder, then renames it into place (never half there). */
function installTools(): void {
  mkdirSync(cache, { recursive: true });
  const work = mkdtempSync(join(cache, 'prometheus-download-'));
  try {
    let got = run('apt-get', ['download', 'prometheus'], { cwd: work });
    if (got.status !== 0) {
      // A fresh machine may have empty package lists.
      must('apt-get update', run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'update']));
      got = run('apt-get', ['download', 'prometheus'], { cwd: work });
    }
    must('apt-get download prometheus', got);
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error('prometheus environment: apt-get download left no .deb');
    must('dpkg-deb -x', run('dpkg-deb', ['-x', deb, 'unpacked'], { cwd: work }));
    const staged = join(work, 'tools');
    mkdirSync(staged);
    for (const tool of ['prometheus', 'promtool']) renameSync(join(work, 'unpacked', 'usr', 'bin', tool), join(staged, tool));
    rmSync(TOOLS_DIR, { recursive: true, force: true });
    renameSync(staged, TOOLS_DIR);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function clientPresent(): boolean {
  if (!existsSync(PYTHON)) return false;
  const r = run(PYTHON, ['-c', 'import importlib.metadata as m, prometheus_client; print(m.version("prometheus-client"))']);
  return r.status === 0 && r.out.split('\n')[0] === PROMETHEUS_CLIENT_VERSION;
}

function installClient(): void {
  if (run('python3', ['-c', 'import ensurepip, venv']).status !== 0) {
    must('apt-get install python3-venv', run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '-q', '--no-install-recommends', 'python3-venv']));
  }
  rmSync(VENV, { recursive: true, force: true });
  must('python3 -m venv', run('python3', ['-m', 'venv', VENV]));
  must(`pip install prometheus-client==${PROMETHEUS_CLIENT_VERSION}`, run(join(VENV, 'bin', 'pip'), ['install', '-q', '--disable-pip-version-check', `prometheus-client==${PROMETHEUS_CLIENT_VERSION}`]));
}

/** Installs what is missing, serialised with other runs through `flock` on a lock file. */
function ensureInstalled(): void {
  if (toolsPresent() && clientPresent()) return;
  mkdirSync(cache, { recursive: true });
  const self = join(import.meta.dirname, 'prometheus.ts');
  const r = spawnSync('flock', [join(cache, 'prometheus.lock'), process.execPath, '--import', 'tsx', self, '--install'], { stdio: 'inherit', cwd: root, timeout: 1_800_000 });
  if (r.error) throw new Error(`prometheus environment: cannot run flock: ${r.error.message}`);
  if (!toolsPresent()) throw new Error(`prometheus environment: ${TOOLS_DIR} has no prometheus/promtool after the install`);
  if (!clientPresent()) throw new Error(`prometheus environment: ${VENV} has no prometheus_client ${PROMETHEUS_CLIENT_VERSION} after the install`);
}

const environment: TestEnvironment = {
  name: 'prometheus',
  up(): Promise<Record<string, string>> {
    ensureInstalled();
    return Promise.resolve({
      MEDUSA_TEST_PROMETHEUS_BIN: join(TOOLS_DIR, 'prometheus'),
      MEDUSA_TEST_PROMTOOL_BIN: join(TOOLS_DIR, 'promtool'),
      MEDUSA_TEST_PROM_PYTHON: PYTHON,
    });
  },
  down: () => Promise.resolve(),
};

export default environment;

// Entry used by ensureInstalled() while it holds the lock; re-checks so a finished install is reused.
if (process.argv.includes('--install') && process.argv[1] === join(import.meta.dirname, 'prometheus.ts')) {
  if (!toolsPresent()) installTools();
  if (!clientPresent()) installClient();
}
