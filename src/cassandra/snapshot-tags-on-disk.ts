/**
 * The snapshot tags of a node as its data directories show them: the names of the folders
 * `<data_dir>/<keyspace>/<table>/snapshots/<tag>/`, across every data directory (JBOD) and every
 * keyspace, system ones included (the same set `nodetool listsnapshots` reports).
 *
 * This is how the HTTP routes list snapshots: Medusa's Management API and Jolokia routes have no
 * listing, and in a pod the side-car sees the server's data directories (the shared
 * `/var/lib/cassandra` volume), which is where a snapshot exists or not. Cassandra writes a
 * snapshot's folders before it reports the snapshot taken and removes them before it reports it
 * cleared, so the listing agrees with the node once a take or clear has returned.
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

async function folders(dir: string): Promise<Dirent[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory());
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
}

/**
 * Distinct snapshot tags under `dataDirs`, sorted. A data directory that does not exist holds
 * none; any other read error rejects (a listing that silently missed snapshots would let a purge
 * judge wrongly).
 */
export async function snapshotTagsOnDisk(dataDirs: readonly string[]): Promise<string[]> {
  const tags = new Set<string>();
  for (const dataDir of dataDirs) {
    for (const ks of await folders(dataDir)) {
      const tables = await folders(join(dataDir, ks.name));
      const found = await Promise.all(tables.map((t) => folders(join(dataDir, ks.name, t.name, 'snapshots'))));
      for (const list of found) for (const s of list) tags.add(s.name);
    }
  }
  return [...tags].sort();
}
