/**
 * Manifest totals (bytes, objects) of finished node backups, for summaries that need the figures
 * of many backups at once (the agent's GetBackups reads every finished node backup of the bucket),
 * without the server-version reads of `detailClusterBackup`. `clusterTotals` (details.ts) sums them
 * as Medusa 0.31 does.
 *
 * A finished node backup's manifest never changes: it is written once, last, and a backup of the
 * same name can only come back after a delete, with a new finish time. So totals are cached per
 * (fqdn, name, finish time), for as long as the caller keeps the cache (one storage and layout:
 * a cache must not outlive the configuration it was filled under).
 */
import pLimit from 'p-limit';
import type { ClusterBackup, NodeBackup } from '../domain/backups.js';
import { manifestTotals } from '../domain/manifest.js';
import { assembleClusterBackup } from '../plan/cluster-backups.js';
import type { CatalogContext } from './catalog.js';
import { readManifest, type NodeBackupDetails } from './details.js';

/** Reads in flight at once. */
const TOTALS_READ_CONCURRENCY = 16;

/** Bytes and objects one node backup's manifest lists (0 for an unfinished one). */
export type NodeTotals = Pick<NodeBackupDetails, 'nodeBackup' | 'size' | 'numObjects'>;

/** Totals of finished node backups, keyed by what makes a manifest immutable (see module comment). */
export class NodeTotalsCache {
  private readonly entries = new Map<string, { size: number; numObjects: number }>();

  private static keyOf(nb: NodeBackup): string | undefined {
    return nb.finished === undefined ? undefined : `${nb.fqdn}\u0000${nb.name}\u0000${nb.finished}`;
  }

  get(nb: NodeBackup): { size: number; numObjects: number } | undefined {
    const key = NodeTotalsCache.keyOf(nb);
    return key === undefined ? undefined : this.entries.get(key);
  }

  set(nb: NodeBackup, totals: { size: number; numObjects: number }): void {
    const key = NodeTotalsCache.keyOf(nb);
    if (key !== undefined) this.entries.set(key, totals);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** A cluster backup with the totals of each of its node backups (in `backup.nodeBackups` order). */
export interface ClusterBackupTotals {
  /** Re-judged: a node backup whose manifest is gone counts as unfinished (see `readManifest`). */
  readonly backup: ClusterBackup;
  readonly nodes: readonly NodeTotals[];
}

/**
 * The totals of every node backup of `backup` (from `cache` where it has them), and the backup
 * re-judged with the manifests found. Throws `DocumentError` for an unreadable manifest.
 */
export async function clusterBackupTotals(ctx: CatalogContext, backup: ClusterBackup, cache?: NodeTotalsCache): Promise<ClusterBackupTotals> {
  const limit = pLimit(TOTALS_READ_CONCURRENCY);
  const nodes = await Promise.all(
    backup.nodeBackups.map((nb) =>
      limit(async (): Promise<NodeTotals> => {
        if (nb.finished === undefined) return { nodeBackup: nb, size: 0, numObjects: 0 };
        let t = cache?.get(nb);
        if (!t) {
          const manifest = await readManifest(ctx, nb);
          if (!manifest) {
            const unfinished: NodeBackup = { name: nb.name, fqdn: nb.fqdn, started: nb.started, differential: nb.differential, tokenmapIndexKey: nb.tokenmapIndexKey };
            return { nodeBackup: unfinished, size: 0, numObjects: 0 };
          }
          t = manifestTotals(manifest);
          cache?.set(nb, t);
        }
        return { nodeBackup: nb, size: t.size, numObjects: t.numObjects };
      }),
    ),
  );
  const lost = nodes.some((n, i) => n.nodeBackup !== backup.nodeBackups[i]);
  if (!lost) return { backup, nodes };
  const rejudged = assembleClusterBackup(backup.name, nodes.map((n) => n.nodeBackup), backup.tokenmap);
  const byFqdn = new Map(nodes.map((n) => [n.nodeBackup.fqdn, n]));
  return { backup: rejudged, nodes: rejudged.nodeBackups.map((nb) => byFqdn.get(nb.fqdn)!) };
}
