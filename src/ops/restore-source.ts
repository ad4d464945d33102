/**
 * Reading what a restore or download starts from: one node backup's manifest and tokenmap, straight
 * from its `meta/` folder (as Medusa does: a backup missing from the index is still restorable).
 */
import type { CatalogContext } from '../catalog/catalog.js';
import { parseManifest, type Manifest } from '../domain/manifest.js';
import { parseTokenMap, type TokenMap } from '../domain/tokenmap.js';
import { metaKey } from '../layout/keys.js';
import { NotFoundError } from '../storage/errors.js';
import { exists, getText } from '../storage/helpers.js';
import { OperationError } from '../util/errors.js';
import { BackupNotFoundError } from './find-backup.js';

/** A finished node backup, ready to plan from. */
export interface RestoreSource {
  readonly fqdn: string;
  readonly backupName: string;
  readonly manifest: Manifest;
  /** Key the manifest was read from (named in errors). */
  readonly manifestKey: string;
}

/**
 * Reads the manifest of `fqdn`'s backup `backupName`. Throws `BackupNotFoundError` when the backup
 * does not exist, `OperationError` when it exists but never finished (no manifest), and
 * `DocumentError` when the manifest is damaged.
 */
export async function readRestoreSource(ctx: CatalogContext, fqdn: string, backupName: string): Promise<RestoreSource> {
  const manifestKey = metaKey(ctx.layout, fqdn, backupName, 'manifest.json');
  let text: string;
  try {
    text = await getText(ctx.storage, manifestKey);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    if (await exists(ctx.storage, metaKey(ctx.layout, fqdn, backupName, 'schema.cql'))) {
      throw new OperationError(`Backup ${backupName} of ${fqdn} is not complete: ${manifestKey} is missing`);
    }
    throw new BackupNotFoundError(`${backupName} (for node ${fqdn})`);
  }
  return { fqdn, backupName, manifest: parseManifest(text, manifestKey), manifestKey };
}

/** The backup's tokenmap (`meta/tokenmap.json`). */
export async function readRestoreTokenMap(ctx: CatalogContext, source: Pick<RestoreSource, 'fqdn' | 'backupName'>): Promise<TokenMap> {
  const key = metaKey(ctx.layout, source.fqdn, source.backupName, 'tokenmap.json');
  return parseTokenMap(await getText(ctx.storage, key), key);
}
