/**
 * Finds the files of a snapshot: `<data_dir>/<keyspace>/<table-dir>/snapshots/<tag>/` under EVERY
 * data directory (JBOD, design §3), regular files at any depth (hidden `.<index>` secondary-index
 * folders included, zero-byte components included), except Cassandra's own `manifest.json` and
 * `schema.cql`, and never keyspace `system_traces` (reference §4.2 step 7).
 *
 * The walk uses synchronous `readdir` and `lstat` in short slices (`util/sync-slices.ts`): on a
 * 20,000-file snapshot, promise-based calls cost several times the CPU, and the snapshot's files
 * are hard links Cassandra just made, whose metadata the kernel holds.
 */
import type { Dirent } from 'node:fs';
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { OperationError } from '../util/errors.js';
import { SyncSlices } from '../util/sync-slices.js';

/** Keyspaces Medusa never backs up. */
export const EXCLUDED_KEYSPACES: ReadonlySet<string> = new Set(['system_traces']);
/** File names inside a snapshot that are Cassandra's, not SSTable components. */
const NEVER_BACKED_UP: ReadonlySet<string> = new Set(['manifest.json', 'schema.cql']);

/** One file of a snapshot. */
export interface SnapshotFile {
  /** Path inside the table's snapshot folder: `nb-1-big-Data.db` or `.<index>/nb-1-big-Data.db`. */
  readonly relativePath: string;
  /** Absolute path on disk. */
  readonly path: string;
  readonly size: number;
  /** Device, inode and mtime when found: lets the hash cache answer without another `stat`. */
  readonly identity?: FileIdentity;
}

/** What the hash cache keys a file's digests by (with its size). */
export interface FileIdentity {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly mtimeNs: bigint;
}

/** One table directory's files in the snapshot (merged across data directories). */
export interface SnapshotTable {
  readonly keyspace: string;
  /** Table directory name, table id included. */
  readonly tableDir: string;
  /** Sorted by `relativePath`. */
  readonly files: readonly SnapshotFile[];
}

function dirEntries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
}

/**
 * A found file, held for every file of the snapshot until the backup ends, so kept small: its
 * absolute path is made when asked for (hashing, uploading; held for every file of a 100,000-file
 * snapshot, those paths were 15 MB of the backup's memory), and it is its own identity (no second
 * object per file; the device number is one value shared by the files of a data directory).
 */
class FoundFile implements SnapshotFile, FileIdentity {
  constructor(
    /** The table's snapshot folder. */
    private readonly folder: string,
    readonly relativePath: string,
    readonly size: number,
    readonly dev: bigint,
    readonly ino: bigint,
    readonly mtimeNs: bigint,
  ) {}

  get path(): string {
    return `${this.folder}/${this.relativePath}`;
  }

  get identity(): FileIdentity {
    return this;
  }
}

/** The device number of the files listed last: one shared value instead of one per file. */
let lastDev = 0n;

/** Appends the files under `root/rel` (any depth) to `out`. */
async function listFiles(root: string, rel: string, out: SnapshotFile[], slices: SyncSlices): Promise<void> {
  for (const e of dirEntries(rel === '' ? root : join(root, rel))) {
    const relativePath = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) await listFiles(root, relativePath, out, slices);
    else if (e.isFile() && !NEVER_BACKED_UP.has(e.name)) {
      const st = lstatSync(join(root, relativePath), { bigint: true });
      if (st.dev !== lastDev) lastDev = st.dev;
      out.push(new FoundFile(root, relativePath, Number(st.size), lastDev, st.ino, st.mtimeNs));
    }
  }
  if (slices.due()) await slices.next();
}

/** `<data_dir>/<ks>/<table>/snapshots/<tag>` folders that exist, with keyspace and table dir. */
async function snapshotFolders(dataDirs: readonly string[], tag: string, firstOnly = false): Promise<Array<{ keyspace: string; tableDir: string; folder: string }>> {
  const found: Array<{ keyspace: string; tableDir: string; folder: string }> = [];
  const slices = new SyncSlices();
  for (const dataDir of dataDirs) {
    for (const ks of dirEntries(dataDir)) {
      if (!ks.isDirectory() || EXCLUDED_KEYSPACES.has(ks.name)) continue;
      for (const table of dirEntries(join(dataDir, ks.name))) {
        if (!table.isDirectory()) continue;
        const folder = join(dataDir, ks.name, table.name, 'snapshots', tag);
        if (isFolder(folder)) found.push({ keyspace: ks.name, tableDir: table.name, folder });
        if (slices.due()) await slices.next();
      }
      if (firstOnly && found.length > 0) return found;
    }
  }
  return found;
}

function isFolder(path: string): boolean {
  try {
    return lstatSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}

/** Whether any data directory holds a snapshot named `tag` (how Medusa tests for one: on disk). */
export async function snapshotExists(dataDirs: readonly string[], tag: string): Promise<boolean> {
  return (await snapshotFolders(dataDirs, tag, true)).length > 0;
}

/**
 * Every table of snapshot `tag`, sorted by keyspace then table dir, files sorted by relative path.
 * A table present in several data directories is one entry. Two data directories holding the same
 * file name for one table is refused (`OperationError`): both would go to the same object key.
 */
export async function findSnapshotTables(dataDirs: readonly string[], tag: string): Promise<SnapshotTable[]> {
  const byTable = new Map<string, { keyspace: string; tableDir: string; files: SnapshotFile[] }>();
  const folders = await snapshotFolders(dataDirs, tag);
  for (const f of folders) {
    const id = `${f.keyspace}/${f.tableDir}`;
    if (!byTable.has(id)) byTable.set(id, { keyspace: f.keyspace, tableDir: f.tableDir, files: [] });
  }
  const slices = new SyncSlices();
  for (const f of folders) await listFiles(f.folder, '', byTable.get(`${f.keyspace}/${f.tableDir}`)!.files, slices);
  const tables = [...byTable.values()].sort((a, b) => cmp(a.keyspace, b.keyspace) || cmp(a.tableDir, b.tableDir));
  for (const t of tables) {
    t.files.sort((a, b) => cmp(a.relativePath, b.relativePath));
    for (let i = 1; i < t.files.length; i++) {
      if (t.files[i]!.relativePath === t.files[i - 1]!.relativePath) {
        throw new OperationError(
          `snapshot ${tag}: ${t.keyspace}/${t.tableDir}/${t.files[i]!.relativePath} exists in two data directories ` +
            `(${t.files[i - 1]!.path} and ${t.files[i]!.path}); refusing to back up one over the other`,
        );
      }
    }
  }
  return tables;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
