/**
 * The latest complete cluster backup, confirmed: the index says which backups finished, but a
 * finished node backup whose meta/manifest.json has since vanished cannot be restored. Restore
 * runbooks take this answer at face value, so candidates are checked newest first (one manifest
 * read per node) until one still holds.
 */
import type { CatalogContext } from '../catalog/catalog.js';
import { detailClusterBackup } from '../catalog/details.js';
import type { ClusterBackup } from '../domain/backups.js';
import { latestCompleteBackup } from '../plan/cluster-backups.js';

/** The newest backup that is complete by the index AND whose manifests are all present. */
export async function latestConfirmedCompleteBackup(ctx: CatalogContext, backups: readonly ClusterBackup[]): Promise<ClusterBackup | undefined> {
  let candidates = [...backups];
  for (;;) {
    const candidate = latestCompleteBackup(candidates);
    if (!candidate) return undefined;
    const { backup } = await detailClusterBackup(ctx, candidate);
    if (backup.complete) return backup;
    candidates = candidates.filter((b) => b !== candidate);
  }
}
