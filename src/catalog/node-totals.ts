/**
 * Manifest totals (bytes, objects) of finished node backups, for summaries that need the figures
 * of many backups at once (the agent's GetBackups reads every finished node backup of the bucket).
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
import { readManifest } from './details.js';

/** Reads in flight at once. */
const TOTALS_READ_CONCURRENCY = 16;

/** Bytes and objects one node backup's manifest lists. */
export interface NodeTotals {
  readonly size: number;
  readonly numObjects: number;
}

/** Totals of finished node backups, keyed by what makes a manifest immutable (see module comment). */
export class NodeTotalsCache {
  private readonly entries = new Map<string, NodeTotals>();

  private static keyOf(nb: NodeBackup): string | undefined {
    return nb.finished === undefined ? undefined : `${nb.fqdn}\u0000${nb.name}\u0000${nb.finished}`;
  }

  get(nb: NodeBackup): NodeTotals | undefined {
    const key = NodeTotalsCache.keyOf(nb);
    return key === undefined ? undefined : this.entries.get(key);
  }

  set(nb: NodeBackup, totals: NodeTotals): void {
    const key = NodeTotalsCache.keyOf(nb);
    if (key !== undefined) this.entries.set(key, totals);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** A cluster backup with the totals of its finished node backups (by fqdn). */
export interface ClusterBackupTotals {
  /** Re-judged: a node backup whose manifest is gone counts as unfinished (see `readManifest`). */
  readonly backup: ClusterBackup;
  readonly totals: ReadonlyMap<string, NodeTotals>;
}

/**
 * The totals of every finished node backup of `backup` (from `cache` where it has them), and the
 * backup re-judged with the manifests found. Throws `DocumentError` for an unreadable manifest.
 */
export async function clusterBackupTotals(ctx: CatalogContext, backup: ClusterBackup, cache?: NodeTotalsCache): Promise<ClusterBackupTotals> {
  const limit = pLimit(TOTALS_READ_CONCURRENCY);
  const totals = new Map<string, NodeTotals>();
  let lost = false;
  const nodeBackups = await Promise.all(
    backup.nodeBackups.map((nb) =>
      limit(async (): Promise<NodeBackup> => {
        if (nb.finished === undefined) return nb;
        let t = cache?.get(nb);
        if (!t) {
          const manifest = await readManifest(ctx, nb);
          if (!manifest) {
            lost = true;
            return { name: nb.name, fqdn: nb.fqdn, started: nb.started, differential: nb.differential, tokenmapIndexKey: nb.tokenmapIndexKey };
          }
          t = manifestTotals(manifest);
          cache?.set(nb, t);
        }
        totals.set(nb.fqdn, t);
        return nb;
      }),
    ),
  );
  return { backup: lost ? assembleClusterBackup(backup.name, nodeBackups, backup.tokenmap) : backup, totals };
}
