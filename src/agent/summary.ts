/**
 * Pure: the wire `BackupSummary` of one cluster backup, with Medusa 0.31's node accounting
 * (spec medusa-agent.md §2 "BackupSummary fields", §5): only node backups of hosts in the tokenmap
 * count (the "expected" ones). The accounting itself is the shared one (`ClusterBackup.started`,
 * `clusterTotals`), the one `status` and `list-backups` show.
 *
 * - `startTime`: earliest start of the expected node backups (of all of them when none is
 *   expected, where Medusa fails the whole GetBackups).
 * - `finishTime`/`status`: the latest finish and SUCCESS once no tokenmap host is missing and every
 *   expected node backup finished; otherwise 0 and IN_PROGRESS. Never FAILED, as in Medusa.
 * - `totalNodes`: tokenmap hosts; `finishedNodes`: expected node backups that finished.
 * - `nodes`: one per tokenmap host, in the document's order; `datacenter`/`rack` "" when absent.
 * - `totalSize`/`totalObjects`: sums over the finished expected node backups.
 */
import { clusterTotals, type ClusterBackupTotals } from '../ops/api/backups.js';
import type { BackupSummaryMessage, StatusType } from './wire.js';

/** The summary of a cluster backup read with its node totals. */
export function backupSummary(read: ClusterBackupTotals): BackupSummaryMessage {
  const { backup } = read;
  const { size, numObjects } = clusterTotals(read);
  return {
    backupName: backup.name,
    startTime: String(backup.started),
    finishTime: String(backup.finished ?? 0),
    totalNodes: backup.tokenmap.size,
    finishedNodes: backup.completeNodes.length,
    nodes: [...backup.tokenmap].map(([host, h]) => ({
      host,
      tokens: h.tokens.map((t) => t.toString()),
      datacenter: h.dc ?? '',
      rack: h.rack ?? '',
    })),
    status: backup.finished !== undefined ? 'SUCCESS' : 'IN_PROGRESS',
    backupType: backup.backupType,
    totalSize: String(size),
    totalObjects: String(numObjects),
  };
}

/**
 * GetBackups' `overallStatus`: UNKNOWN for no backup; else SUCCESS when all succeeded, overridden
 * in this order by any IN_PROGRESS, any FAILED, any UNKNOWN (the last override wins, as in Medusa).
 */
export function overallStatus(summaries: readonly Pick<BackupSummaryMessage, 'status'>[]): StatusType {
  if (summaries.length === 0) return 'UNKNOWN';
  let status: StatusType = summaries.every((s) => s.status === 'SUCCESS') ? 'SUCCESS' : 'UNKNOWN';
  for (const override of ['IN_PROGRESS', 'FAILED', 'UNKNOWN'] as const) {
    if (summaries.some((s) => s.status === override)) status = override;
  }
  return status;
}

/** Summaries ordered as GetBackups lists them: by `startTime`, ties kept in the given order. */
export function byStartTime(summaries: readonly BackupSummaryMessage[]): BackupSummaryMessage[] {
  return summaries
    .map((s, i) => ({ s, i }))
    .sort((a, b) => Number(BigInt(a.s.startTime) - BigInt(b.s.startTime)) || a.i - b.i)
    .map(({ s }) => s);
}
