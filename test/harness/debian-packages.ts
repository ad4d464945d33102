/**
 * Installs Debian packages the harness needs, idempotently: a package whose command is already on
 * the machine costs one `command -v`; otherwise `apt-get install` runs (with `apt-get update` only
 * when the first attempt fails, because a fresh machine may have empty package lists). apt's lock is
 * waited for, since other suites on this machine install their own packages at the same time.
 */
import { execCapture, execOk } from './exec.js';

/** A Debian package, and the command whose presence means it is installed. */
export interface DebianTool {
  pkg: string;
  command: string;
}

/** The harness's outside tools (OpenJDK and Maven are expected on the machine but checked too). */
export const HARNESS_TOOLS = {
  sshd: { pkg: 'openssh-server', command: 'sshd' },
  ssh: { pkg: 'openssh-client', command: 'ssh' },
  sshKeygen: { pkg: 'openssh-client', command: 'ssh-keygen' },
  mvn: { pkg: 'maven', command: 'mvn' },
  ip: { pkg: 'iproute2', command: 'ip' },
  unshare: { pkg: 'util-linux', command: 'unshare' },
  nsenter: { pkg: 'util-linux', command: 'nsenter' },
} as const satisfies Record<string, DebianTool>;

const PATH_WITH_SBIN = `${process.env.PATH ?? ''}:/usr/local/sbin:/usr/sbin:/sbin`;

/** Absolute path of `command`, or undefined when it is not installed (sbin folders included). */
export async function commandPath(command: string): Promise<string | undefined> {
  const result = await execCapture('sh', ['-c', `command -v "$0"`, command], {
    env: { ...process.env, PATH: PATH_WITH_SBIN },
  });
  const path = result.stdout.trim();
  return result.code === 0 && path.startsWith('/') ? path : undefined;
}

/**
 * Makes sure every tool's command exists, installing the missing packages in one apt-get call.
 * Resolves with each command's absolute path; rejects with apt's output when installing fails.
 */
export async function ensureTools(tools: readonly DebianTool[]): Promise<Map<string, string>> {
  const paths = new Map<string, string>();
  const missing = new Set<string>();
  for (const tool of tools) {
    const path = await commandPath(tool.command);
    if (path) paths.set(tool.command, path);
    else missing.add(tool.pkg);
  }
  if (missing.size === 0) return paths;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '--no-install-recommends', ...missing];
  const first = await execCapture('apt-get', install, { env, timeoutMs: 10 * 60_000 });
  if (first.code !== 0) {
    await execOk('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'update'], { env, timeoutMs: 10 * 60_000 });
    await execOk('apt-get', install, { env, timeoutMs: 10 * 60_000 });
  }
  for (const tool of tools) {
    const path = await commandPath(tool.command);
    if (!path) throw new Error(`installed ${tool.pkg} but \`${tool.command}\` is still missing`);
    paths.set(tool.command, path);
  }
  return paths;
}
