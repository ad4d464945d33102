/**
 * The read-only questions a face asks about the bucket (`list-backups`, `status`,
 * `fetch-tokenmap`, `get-last-complete-cluster-backup`; the agent's GetBackups, GetBackup and
 * BackupStatus): each answers with data and never changes the bucket.
 */
import pLimit from 'p-limit';
import { listClusterBackups } from '../../catalog/catalog.js';
import { detailClusterBackup, type DetailedClusterBackup } from '../../catalog/details.js';
import { clusterBackupTotals, type ClusterBackupTotals, type NodeTotalsCache } from '../../catalog/node-totals.js';
import type { ClusterBackup } from '../../domain/backups.js';
import type { TokenMap } from '../../domain/tokenmap.js';
import { findClusterBackup } from '../find-backup.js';
import { latestConfirmedCompleteBackup } from '../latest-complete.js';
import type { Session } from './session.js';

export { clusterTotals, type ClusterTotals, type DetailedClusterBackup, type NodeBackupDetails } from '../../catalog/details.js';
export type { ClusterBackup, NodeBackup } from '../../domain/backups.js';
export type { TokenMap } from '../../domain/tokenmap.js';
export { BackupNotFoundError } from '../find-backup.js';
export { NodeTotalsCache, type ClusterBackupTotals, type NodeTotals } from '../../catalog/node-totals.js';

/** Cluster backups whose totals are read at once (each reads its node backups' manifests, 16 at a time). */
const TOTALS_CONCURRENCY = 4;

/** Which backups a listing shows. */
export interface ListBackupsRequest {
  /** Every backup of the bucket; otherwise those this node (`[storage] fqdn`) took part in. */
  readonly showAll: boolean;
}

/** The cluster backups, oldest first, as the index shows them. */
export async function listBackups(session: Session, request: ListBackupsRequest): Promise<ClusterBackup[]> {
  const all = await listClusterBackups(session);
  if (request.showAll) return all;
  const fqdn = session.config.storage.fqdn;
  return all.filter((b) => b.nodeBackups.some((nb) => nb.fqdn === fqdn));
}

/** The cluster backups of {@link listBackups}, each re-judged after reading its manifests, with per-node details. */
export async function listBackupDetails(session: Session, request: ListBackupsRequest): Promise<DetailedClusterBackup[]> {
  const details: DetailedClusterBackup[] = [];
  for (const b of await listBackups(session, request)) details.push(await detailClusterBackup(session, b));
  return details;
}

/** One backup, re-judged after reading its manifests; `BackupNotFoundError` when the bucket has none of that name. */
export async function backupStatus(session: Session, backupName: string): Promise<DetailedClusterBackup> {
  return detailClusterBackup(session, await findClusterBackup(session, backupName));
}

/** The token ring a backup recorded; `BackupNotFoundError` when the bucket has none of that name. */
export async function backupTokenmap(session: Session, backupName: string): Promise<TokenMap> {
  return (await findClusterBackup(session, backupName)).tokenmap;
}

/** The newest backup complete by the index whose manifests are all still there; undefined when none. */
export async function lastCompleteClusterBackup(session: Session): Promise<ClusterBackup | undefined> {
  return latestConfirmedCompleteBackup(session, await listClusterBackups(session));
}

/**
 * Every cluster backup of the bucket, oldest first, with the manifest totals of its finished node
 * backups (the agent's GetBackups); a node backup whose manifest is gone counts as unfinished.
 * `cache` keeps totals between calls (see `NodeTotalsCache`); `signal` stops between backups.
 */
export async function listBackupsWithTotals(session: Session, cache?: NodeTotalsCache, signal?: AbortSignal): Promise<ClusterBackupTotals[]> {
  const backups = await listClusterBackups(session);
  const limit = pLimit(TOTALS_CONCURRENCY);
  return Promise.all(
    backups.map((b) =>
      limit(() => {
        signal?.throwIfAborted();
        return clusterBackupTotals(session, b, cache);
      }),
    ),
  );
}

/** One backup with its totals (see {@link listBackupsWithTotals}); `BackupNotFoundError` when the bucket has none of that name. */
export async function backupWithTotals(session: Session, backupName: string, cache?: NodeTotalsCache): Promise<ClusterBackupTotals> {
  return clusterBackupTotals(session, await findClusterBackup(session, backupName), cache);
}
