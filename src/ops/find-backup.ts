/** Looking up one cluster backup by name. */
import { listNodeBackups, assembleClusterBackups, type CatalogContext } from '../catalog/catalog.js';
import type { ClusterBackup } from '../domain/backups.js';
import { OperationError } from '../util/errors.js';

/** The named backup does not exist in the bucket's index. */
export class BackupNotFoundError extends OperationError {
  constructor(name: string) {
    super(`No such backup: ${name}`);
  }
}

/** The cluster backup called `name`; throws `BackupNotFoundError` when the index has none. */
export async function findClusterBackup(ctx: CatalogContext, name: string): Promise<ClusterBackup> {
  const nodeBackups = (await listNodeBackups(ctx)).filter((nb) => nb.name === name);
  const [backup] = await assembleClusterBackups(ctx, nodeBackups);
  if (!backup) throw new BackupNotFoundError(name);
  return backup;
}
