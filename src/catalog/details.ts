/**
 * Per-node details of one cluster backup: manifest totals and server version, read from each node
 * backup's meta folder. A finished node backup whose manifest is gone is reported as unfinished
 * (with a warning naming the object), so such a backup is never shown complete.
 */
import pLimit from 'p-limit';
import type { ClusterBackup, NodeBackup } from '../domain/backups.js';
import { manifestTotals, parseManifest, type Manifest } from '../domain/manifest.js';
import { parseServerVersion, UNKNOWN_SERVER_VERSION, type ServerVersion } from '../domain/server-version.js';
import { metaKey } from '../layout/keys.js';
import { assembleClusterBackup } from '../plan/cluster-backups.js';
import { NotFoundError } from '../storage/errors.js';
import { getText } from '../storage/helpers.js';
import type { CatalogContext } from './catalog.js';

const DETAIL_READ_CONCURRENCY = 16;

/** What `status` and `list-backups --output json` show per node backup. */
export interface NodeBackupDetails {
  readonly nodeBackup: NodeBackup;
  readonly serverVersion: ServerVersion;
  /** Present for finished node backups whose manifest could be read. */
  readonly manifest?: Manifest;
  readonly size: number;
  readonly numObjects: number;
}

/** A cluster backup re-judged after reading its manifests, with every node's details. */
export interface DetailedClusterBackup {
  readonly backup: ClusterBackup;
  /** In `backup.nodeBackups` order. */
  readonly nodes: readonly NodeBackupDetails[];
}

async function readServerVersion(ctx: CatalogContext, nb: NodeBackup): Promise<ServerVersion> {
  const key = metaKey(ctx.layout, nb.fqdn, nb.name, 'server_version.json');
  try {
    return parseServerVersion(await getText(ctx.storage, key), key);
  } catch (err) {
    // Backups taken before Medusa wrote this document have none: Medusa assumes this default.
    if (err instanceof NotFoundError) return UNKNOWN_SERVER_VERSION;
    throw err;
  }
}

/**
 * Reads a node backup's manifest; undefined (with a warning) when it is missing. A manifest that
 * exists but cannot be read (truncated, not JSON) throws `DocumentError`: the bucket is damaged.
 */
export async function readManifest(ctx: CatalogContext, nb: NodeBackup): Promise<Manifest | undefined> {
  const key = metaKey(ctx.layout, nb.fqdn, nb.name, 'manifest.json');
  try {
    return parseManifest(await getText(ctx.storage, key), key);
  } catch (err) {
    if (err instanceof NotFoundError) {
      ctx.log.warning(`Backup ${nb.name} of ${nb.fqdn} is listed as finished but its manifest ${key} is missing: treating it as incomplete`);
      return undefined;
    }
    throw err;
  }
}

async function readDetails(ctx: CatalogContext, nb: NodeBackup): Promise<NodeBackupDetails> {
  const serverVersion = await readServerVersion(ctx, nb);
  if (nb.finished === undefined) return { nodeBackup: nb, serverVersion, size: 0, numObjects: 0 };
  const manifest = await readManifest(ctx, nb);
  if (!manifest) {
    const unfinished: NodeBackup = { name: nb.name, fqdn: nb.fqdn, started: nb.started, differential: nb.differential, tokenmapIndexKey: nb.tokenmapIndexKey };
    return { nodeBackup: unfinished, serverVersion, size: 0, numObjects: 0 };
  }
  const totals = manifestTotals(manifest);
  return { nodeBackup: nb, serverVersion, manifest, size: totals.size, numObjects: totals.numObjects };
}

/** Files and bytes of a cluster backup, as summaries report them. */
export interface ClusterTotals {
  readonly numObjects: number;
  readonly size: number;
}

/**
 * The totals Medusa 0.31 shows in `status`, `list-backups` text, `report-last-backup` and the
 * gRPC `BackupSummary` (`ClusterBackup.size()`/`num_objects()`): the finished node backups of
 * tokenmap hosts only, so a stray node backup (another DC, a decommissioned host) adds nothing.
 * The JSON document (`to_json_dict`) still sums every finished node: see `clusterBackupJson`.
 */
export function clusterTotals(detailed: {
  readonly backup: ClusterBackup;
  readonly nodes: readonly Pick<NodeBackupDetails, 'nodeBackup' | 'size' | 'numObjects'>[];
}): ClusterTotals {
  const { backup, nodes } = detailed;
  let numObjects = 0;
  let size = 0;
  for (const n of nodes) {
    if (n.nodeBackup.finished === undefined || !backup.tokenmap.has(n.nodeBackup.fqdn)) continue;
    numObjects += n.numObjects;
    size += n.size;
  }
  return { numObjects, size };
}

/** Reads every node's manifest and server version, and re-judges completeness with what was found. */
export async function detailClusterBackup(ctx: CatalogContext, backup: ClusterBackup): Promise<DetailedClusterBackup> {
  const limit = pLimit(DETAIL_READ_CONCURRENCY);
  const details = await Promise.all(backup.nodeBackups.map((nb) => limit(() => readDetails(ctx, nb))));
  const rejudged = assembleClusterBackup(backup.name, details.map((d) => d.nodeBackup), backup.tokenmap);
  const byFqdn = new Map(details.map((d) => [d.nodeBackup.fqdn, d]));
  return { backup: rejudged, nodes: rejudged.nodeBackups.map((nb) => byFqdn.get(nb.fqdn)!) };
}
