/**
 * `.last-restore`: the key of the last restore the init container finished in this pod, kept on the
 * Cassandra volume so a restarted pod does not restore again (medusa-agent.md §3). Same file and
 * format as Medusa's entrypoint (`/var/lib/cassandra/.last-restore`, the key and a newline), so a
 * pod moving between the two images keeps its state. `MEDUSA_LAST_RESTORE_FILE` names another file
 * (a pod whose Cassandra volume is mounted elsewhere).
 */
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { writeFileAtomically } from '../transfer/atomic-file.js';
import { syncFileSystem } from '../transfer/file-system-sync.js';

/** Where the init container keeps the key when nothing says otherwise. */
export const DEFAULT_LAST_RESTORE_FILE = '/var/lib/cassandra/.last-restore';

/** The variable naming another file. */
export const LAST_RESTORE_FILE_VARIABLE = 'MEDUSA_LAST_RESTORE_FILE';

/** The marker file for this environment. */
export function lastRestoreFile(env: Readonly<Record<string, string | undefined>>): string {
  const named = env[LAST_RESTORE_FILE_VARIABLE];
  return named !== undefined && named !== '' ? named : DEFAULT_LAST_RESTORE_FILE;
}

/** The key the file holds (trimmed), or undefined when there is no file. */
export async function readLastRestoreKey(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Records `key` as done: written aside, flushed and renamed, then the rename made durable, so a
 * crash leaves the old key or the new one, never half of one.
 */
export async function writeLastRestoreKey(path: string, key: string): Promise<void> {
  await writeFileAtomically(path, Readable.from([Buffer.from(`${key}\n`, 'utf8')]));
  await syncFileSystem(path, `the restore key in ${path}`);
}
