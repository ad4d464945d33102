/**
 * The file operations of a restore's swap step, done directly or through `sudo` (reference §5.1
 * step 7, `use_sudo_for_restore`). Medusa always goes through sudo when the setting is on; here sudo
 * is used only when it can change something: a process already running as root (containers, tests)
 * does the work itself, so sudo need not even be installed.
 */
import { cp, lchown, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../cassandra/service.js';
import { OperationError } from '../util/errors.js';

/** The privileged operations a swap needs. */
export interface RestoreFiles {
  /** Removes `path` and everything below it; a missing path is fine. */
  removeTree(path: string): Promise<void>;
  /** Removes everything inside `path`, keeping the folder (created when missing). */
  emptyFolder(path: string): Promise<void>;
  /** Creates `path` and its missing parents. */
  makeDir(path: string): Promise<void>;
  /** Renames `from` to `to`; across file systems (a `--temp-dir` staging) it copies then removes. */
  move(from: string, to: string): Promise<void>;
  /** Gives `path` and everything below it to `uid:gid`. */
  chownTree(path: string, uid: number, gid: number): Promise<void>;
}

async function sudo(argv: string[]): Promise<void> {
  const r = await runCommand(['sudo', ...argv]);
  if (r.code !== 0) throw new OperationError(`sudo ${argv.join(' ')} failed (exit ${r.code}): ${r.output}`);
}

async function chownDirect(path: string, uid: number, gid: number): Promise<void> {
  const s = await stat(path);
  if (s.uid !== uid || s.gid !== gid) await lchown(path, uid, gid);
  if (!s.isDirectory()) return;
  for (const name of await readdir(path)) await chownDirect(join(path, name), uid, gid);
}

/** Operations done by this process itself. */
export const directFiles: RestoreFiles = {
  removeTree: (path) => rm(path, { recursive: true, force: true }),
  async emptyFolder(path) {
    await mkdir(path, { recursive: true });
    for (const name of await readdir(path)) await rm(join(path, name), { recursive: true, force: true });
  },
  makeDir: async (path) => {
    await mkdir(path, { recursive: true });
  },
  async move(from, to) {
    try {
      await rename(from, to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      await cp(from, to, { recursive: true, preserveTimestamps: true, errorOnExist: true, force: false });
      await rm(from, { recursive: true, force: true });
    }
  },
  chownTree: chownDirect,
};

/** Operations run through `sudo` (rm, mkdir, mv, chown), for a non-root Medusa restoring a node. */
export const sudoFiles: RestoreFiles = {
  removeTree: (path) => sudo(['rm', '-rf', '--', path]),
  async emptyFolder(path) {
    await sudo(['mkdir', '-p', '--', path]);
    // Through a shell so the glob is expanded with root's rights; the path is passed as an argument, never spliced.
    await sudo(['sh', '-c', 'cd -- "$1" && find . -mindepth 1 -maxdepth 1 -exec rm -rf -- {} +', 'sh', path]);
  },
  makeDir: (path) => sudo(['mkdir', '-p', '--', path]),
  move: (from, to) => sudo(['mv', '-T', '--', from, to]),
  chownTree: (path, uid, gid) => sudo(['chown', '-R', `${uid}:${gid}`, '--', path]),
};

/** The implementation for this process: sudo only when asked for and not already root. */
export function restoreFilesFor(useSudo: boolean): RestoreFiles {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return useSudo && !root ? sudoFiles : directFiles;
}
