/**
 * `build-index`: rebuilds `index/` from the backups' meta objects (reference §6.6). Unlike Medusa,
 * which asks the live cluster for its hosts, it takes every node folder found in the bucket, so it
 * works while Cassandra is down; and it writes the `differential_F` markers Medusa forgets.
 */
import type { CatalogContext } from '../catalog/catalog.js';
import { setLatestBackup, writeIndexFinish, writeIndexStart } from '../catalog/index-writer.js';
import { metaKey, prefixPath } from '../layout/keys.js';
import { discoverNodeBackups, latestPerNode, type DiscoveredNodeBackup } from '../plan/discover-backups.js';
import type { ListedKey } from '../plan/index-listing.js';
import { getText } from '../storage/helpers.js';

export interface BuildIndexResult {
  readonly indexed: readonly DiscoveredNodeBackup[];
  readonly latest: ReadonlyMap<string, DiscoveredNodeBackup>;
}

/** Finds every finished node backup and (unless `noop`) writes its index entries. */
export async function buildIndex(ctx: CatalogContext, noop: boolean): Promise<BuildIndexResult> {
  const listing: ListedKey[] = [];
  for await (const info of ctx.storage.list(prefixPath(ctx.layout))) {
    if (info.key.includes('/meta/')) listing.push({ key: info.key, lastModified: info.lastModified });
  }
  const finished = discoverNodeBackups(ctx.layout, listing).filter((b) => b.finished !== undefined);
  const latest = latestPerNode(finished);
  if (noop) {
    ctx.log.info('--noop was set, will only print the indices');
    for (const b of finished) ctx.log.info(`Found backup ${b.name} from ${b.fqdn}`);
    return { indexed: finished, latest };
  }
  const read = (b: DiscoveredNodeBackup, file: 'tokenmap.json' | 'schema.cql' | 'manifest.json'): Promise<string> =>
    getText(ctx.storage, metaKey(ctx.layout, b.fqdn, b.name, file));
  for (const b of finished) {
    ctx.log.debug(`Found backup ${b.name} from ${b.fqdn}`);
    await writeIndexStart(ctx, { ...b, tokenmapText: await read(b, 'tokenmap.json'), schemaText: await read(b, 'schema.cql') });
    await writeIndexFinish(ctx, { name: b.name, fqdn: b.fqdn, finished: b.finished!, manifestText: await read(b, 'manifest.json') });
  }
  for (const [fqdn, b] of latest) {
    ctx.log.debug(`Latest backup ${fqdn} is ${b.name}`);
    await setLatestBackup(ctx, { name: b.name, fqdn, tokenmapText: await read(b, 'tokenmap.json') });
  }
  return { indexed: finished, latest };
}
