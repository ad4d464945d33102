/**
 * Idempotent installs of the servers and tools the object-store tests and benchmarks need, so a
 * fresh CI machine gets them and a prepared one is not touched: Debian packages through apt-get,
 * Go programs through `go install` (the Go module proxy) into the gitignored `.cache/bin`.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './processes.js';

/** Repository root (this file is test/environments/object-stores/install.ts). */
export const repoRoot = join(import.meta.dirname, '..', '..', '..');

/** Where `go install` puts the test servers: gitignored, kept between runs. */
export const cacheBin = join(repoRoot, '.cache', 'bin');

async function onPath(binary: string): Promise<boolean> {
  return run('sh', ['-c', `command -v ${binary}`]).then(
    () => true,
    () => false,
  );
}

function asRoot(args: string[]): [string, string[]] {
  // CI and this machine run as root; elsewhere, non-interactive sudo (fails clearly without it).
  return process.getuid?.() === 0 ? [args[0] ?? '', args.slice(1)] : ['sudo', ['-n', ...args]];
}

/**
 * Installs the Debian `packages` unless every one of `binaries` is already on the PATH.
 * apt-get waits for the dpkg lock (another developer or test may be installing too).
 */
export async function ensureDebianPackages(packages: readonly string[], binaries: readonly string[]): Promise<void> {
  const missing: string[] = [];
  for (const b of binaries) if (!(await onPath(b))) missing.push(b);
  if (missing.length === 0) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  const [cmd, updateArgs] = asRoot(['apt-get', ...lock, 'update', '-qq']);
  await run(cmd, updateArgs, { env, timeoutMs: 600_000 });
  const [cmd2, installArgs] = asRoot(['apt-get', ...lock, 'install', '-y', '-qq', '--no-install-recommends', ...packages]);
  await run(cmd2, installArgs, { env, timeoutMs: 1_200_000 });
  for (const b of missing) {
    if (!(await onPath(b))) throw new Error(`apt-get installed ${packages.join(' ')} but ${b} is still not on the PATH`);
  }
}

/**
 * The path of `binary` built from Go module `module@version` into `.cache/bin`, running
 * `go install` only when that binary is missing or was built from another version.
 * Concurrent installs are serialised with flock on a file beside the binaries.
 */
export async function ensureGoBinary(module: string, version: string, binary: string, timeoutMs = 900_000): Promise<string> {
  const path = join(cacheBin, binary);
  if (await builtFrom(path, module, version)) return path;
  mkdirSync(cacheBin, { recursive: true });
  const env = { ...process.env, GOBIN: cacheBin, CGO_ENABLED: '0' };
  await run('flock', [join(cacheBin, '.install.lock'), 'go', 'install', `${module}@${version}`], { env, timeoutMs });
  if (!(await builtFrom(path, module, version))) throw new Error(`go install ${module}@${version} did not produce ${path}`);
  return path;
}

async function builtFrom(path: string, module: string, version: string): Promise<boolean> {
  if (!existsSync(path)) return false;
  // `go version -m` prints the main module line as: "\tmod\t<module>\t<version>\t<sum>".
  const info = await run('go', ['version', '-m', path]).catch(() => '');
  return info.split('\n').some((line) => {
    const fields = line.trim().split(/\s+/);
    return fields[0] === 'mod' && fields[1] === module && fields[2] === version;
  });
}
