/**
 * Finds the files of a snapshot: `<data_dir>/<keyspace>/<table-dir>/snapshots/<tag>/` under EVERY
 * data directory (JBOD, design §3), regular files at any depth (hidden `.<index>` secondary-index
 * folders included, zero-byte components included), except Cassandra's own `manifest.json` and
 * `schema.cql`, and never keyspace `system_traces` (reference §4.2 step 7).
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { OperationError } from '../util/errors.js';

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
}

/** One table directory's files in the snapshot (merged across data directories). */
export interface SnapshotTable {
  readonly keyspace: string;
  /** Table directory name, table id included. */
  readonly tableDir: string;
  /** Sorted by `relativePath`. */
  readonly files: readonly SnapshotFile[];
}

async function dirEntries(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
}

async function listFiles(root: string, rel: string, out: SnapshotFile[]): Promise<void> {
  for (const e of await dirEntries(rel === '' ? root : join(root, rel))) {
    const relativePath = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) await listFiles(root, relativePath, out);
    else if (e.isFile() && !NEVER_BACKED_UP.has(e.name)) {
      const path = join(root, relativePath);
      out.push({ relativePath, path, size: (await lstat(path)).size });
    }
  }
}

/** `<data_dir>/<ks>/<table>/snapshots/<tag>` folders that exist, with keyspace and table dir. */
async function snapshotFolders(dataDirs: readonly string[], tag: string): Promise<Array<{ keyspace: string; tableDir: string; folder: string }>> {
  const found: Array<{ keyspace: string; tableDir: string; folder: string }> = [];
  for (const dataDir of dataDirs) {
    for (const ks of await dirEntries(dataDir)) {
      if (!ks.isDirectory() || EXCLUDED_KEYSPACES.has(ks.name)) continue;
      for (const table of await dirEntries(join(dataDir, ks.name))) {
        if (!table.isDirectory()) continue;
        const folder = join(dataDir, ks.name, table.name, 'snapshots', tag);
        const st = await lstat(folder).catch(() => undefined);
        if (st?.isDirectory()) found.push({ keyspace: ks.name, tableDir: table.name, folder });
      }
    }
  }
  return found;
}

/** Whether any data directory holds a snapshot named `tag` (how Medusa tests for one: on disk). */
export async function snapshotExists(dataDirs: readonly string[], tag: string): Promise<boolean> {
  return (await snapshotFolders(dataDirs, tag)).length > 0;
}

/**
 * Every table of snapshot `tag`, sorted by keyspace then table dir, files sorted by relative path.
 * A table present in several data directories is one entry. Two data directories holding the same
 * file name for one table is refused (`OperationError`): both would go to the same object key.
 */
export async function findSnapshotTables(dataDirs: readonly string[], tag: string): Promise<SnapshotTable[]> {
  const byTable = new Map<string, { keyspace: string; tableDir: string; files: SnapshotFile[] }>();
  for (const f of await snapshotFolders(dataDirs, tag)) {
    const id = `${f.keyspace}/${f.tableDir}`;
    let entry = byTable.get(id);
    if (!entry) byTable.set(id, (entry = { keyspace: f.keyspace, tableDir: f.tableDir, files: [] }));
    await listFiles(f.folder, '', entry.files);
  }
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
