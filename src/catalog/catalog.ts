/**
 * The catalog: what backups the bucket holds (reference §3.4). One listing of the index gives
 * every node backup; a few reads fill what the index lacks. Reads only, never writes: a read-only
 * command never changes the bucket.
 */
import pLimit from 'p-limit';
import type { ClusterBackup, NodeBackup } from '../domain/backups.js';
import { parseTokenMap, type TokenMap } from '../domain/tokenmap.js';
import { backupIndexFolder, metaKey, type BucketLayout } from '../layout/keys.js';
import { assembleClusterBackup, byStartThenFqdn, firstNodeBackup, groupByName } from '../plan/cluster-backups.js';
import { IndexListingReader, type IndexedNodeBackup, type IndexListing } from '../plan/index-listing.js';
import { getText, listKeyPages } from '../storage/helpers.js';
import type { StorageBackend } from '../storage/types.js';
import type { Logger } from '../util/logger.js';

/** Reads in flight at once when a command needs one small object per backup. */
const METADATA_READ_CONCURRENCY = 16;

/** What the catalog needs: the store, where the deployment lives in it, and a logger. */
export interface CatalogContext {
  readonly storage: StorageBackend;
  readonly layout: BucketLayout;
  readonly log: Logger;
}

function epochSeconds(d: Date): number {
  return Math.floor(d.getTime() / 1000);
}

/** Keys only: the index's names carry everything but rare fallbacks, and metadata costs a stat per object on local storage. */
async function readIndex(ctx: CatalogContext): Promise<IndexListing> {
  const reader = new IndexListingReader(ctx.layout);
  for await (const page of listKeyPages(ctx.storage, backupIndexFolder(ctx.layout))) reader.add(page);
  return reader.result();
}

/** Fills start/finish times the index lacks from the objects' LastModified (reference §3.4 step 2). */
async function resolveTimes(ctx: CatalogContext, indexed: IndexedNodeBackup): Promise<NodeBackup | undefined> {
  let started = indexed.started;
  if (started === undefined) {
    const schema = await ctx.storage.stat(metaKey(ctx.layout, indexed.fqdn, indexed.name, 'schema.cql'));
    if (schema) started = epochSeconds(schema.lastModified);
  }
  if (started === undefined) {
    ctx.log.debug(`No start time for backup ${indexed.name} of ${indexed.fqdn}: ignored`);
    return undefined;
  }
  let finished = indexed.finished;
  // Fallbacks as Medusa's: the index copy of the manifest, then meta/manifest.json.
  for (const key of [indexed.manifestIndexKey, metaKey(ctx.layout, indexed.fqdn, indexed.name, 'manifest.json')]) {
    if (finished !== undefined || key === undefined) continue;
    const manifest = await ctx.storage.stat(key);
    if (manifest) finished = epochSeconds(manifest.lastModified);
  }
  return {
    name: indexed.name,
    fqdn: indexed.fqdn,
    started,
    differential: indexed.differential,
    tokenmapIndexKey: indexed.tokenmapIndexKey,
    ...(finished !== undefined ? { finished } : {}),
  };
}

/**
 * Drops node backups present only in the index (their meta/schema.cql is gone). As in Medusa, the
 * check walks from the oldest and stops at the first that exists: backups expire oldest first.
 */
async function dropIndexOnly(ctx: CatalogContext, nodeBackups: NodeBackup[]): Promise<NodeBackup[]> {
  const sorted = [...nodeBackups].sort(byStartThenFqdn);
  for (let i = 0; i < sorted.length; i++) {
    const nb = sorted[i]!;
    if (await ctx.storage.stat(metaKey(ctx.layout, nb.fqdn, nb.name, 'schema.cql'))) return sorted.slice(i);
    ctx.log.debug(`Backup ${nb.name} for fqdn ${nb.fqdn} present only in index`);
    sorted.splice(i, 1);
    i--;
  }
  return sorted;
}

/** Every node backup the index lists, with times resolved, oldest first. */
export async function listNodeBackups(ctx: CatalogContext): Promise<NodeBackup[]> {
  const { nodeBackups: indexed, unexpectedKeys } = await readIndex(ctx);
  for (const key of unexpectedKeys) ctx.log.warning(`Ignoring index object of unexpected shape: ${key}`);
  if (indexed.length === 0) {
    ctx.log.info('No backups found in index. Consider running "medusa build-index" if you have some backups');
    return [];
  }
  const limit = pLimit(METADATA_READ_CONCURRENCY);
  const resolved = await Promise.all(indexed.map((i) => limit(() => resolveTimes(ctx, i))));
  return dropIndexOnly(ctx, resolved.filter((nb): nb is NodeBackup => nb !== undefined));
}

/** Reads and parses the tokenmap a node backup recorded. */
export async function readNodeTokenMap(ctx: CatalogContext, nb: NodeBackup): Promise<TokenMap> {
  return parseTokenMap(await getText(ctx.storage, nb.tokenmapIndexKey), nb.tokenmapIndexKey);
}

/** Groups node backups into cluster backups, oldest first (one tokenmap read per cluster backup). */
export async function assembleClusterBackups(ctx: CatalogContext, nodeBackups: readonly NodeBackup[]): Promise<ClusterBackup[]> {
  const limit = pLimit(METADATA_READ_CONCURRENCY);
  const groups = [...groupByName(nodeBackups)];
  const backups = await Promise.all(
    groups.map(([name, group]) =>
      limit(async () => assembleClusterBackup(name, group, await readNodeTokenMap(ctx, firstNodeBackup(group)))),
    ),
  );
  return backups.sort((a, b) => a.started - b.started || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Every cluster backup in the bucket, oldest first. */
export async function listClusterBackups(ctx: CatalogContext): Promise<ClusterBackup[]> {
  return assembleClusterBackups(ctx, await listNodeBackups(ctx));
}
