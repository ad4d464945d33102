/**
 * `nodetool listsnapshots`: the snapshot tags the node knows, across every data directory.
 *
 * Output (Cassandra 4.0 to 5.0; later versions add columns on the right):
 * ```
 * Snapshot Details:
 * Snapshot name   Keyspace name Column family name True size Size on disk ...
 * medusa-backup-1 medusa_ks     users              5.7 KiB   6.5 KiB      ...
 *
 * Total TrueDiskSpaceUsed: 5.7 KiB
 * ```
 * or `There are no snapshots`. Columns are padded to a common width, so a row's tag is everything
 * left of where the header's `Keyspace name` starts (a tag may hold spaces).
 */
import type { Nodetool } from './nodetool.js';

const NAME_HEADER = 'Snapshot name';
const NEXT_HEADER = 'Keyspace name';

/** The distinct tags in `nodetool listsnapshots` output, in the order listed. */
export function parseListSnapshots(stdout: string): string[] {
  const lines = stdout.split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.startsWith(NAME_HEADER));
  if (headerAt < 0) return [];
  const header = lines[headerAt] ?? '';
  const column = header.indexOf(NEXT_HEADER);
  const tags = new Set<string>();
  for (const line of lines.slice(headerAt + 1)) {
    if (line.trim() === '' || line.startsWith('Total TrueDiskSpaceUsed')) break;
    const tag = column > 0 && line.length > column ? line.slice(0, column).trim() : (line.trim().split(/\s+/)[0] ?? '');
    if (tag !== '') tags.add(tag);
  }
  return [...tags];
}

/** Runs `nodetool listsnapshots` and returns the tags (a `NodetoolError` when nodetool fails). */
export async function listSnapshotTags(nodetool: Nodetool): Promise<string[]> {
  return parseListSnapshots((await nodetool.exec(['listsnapshots'])).stdout);
}
