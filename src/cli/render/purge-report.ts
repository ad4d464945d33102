/**
 * How `purge`, `delete-backup` and `purge-decommissioned` show a plan (`--dry-run`: what would go
 * and why, one line each) and a summary (`--output json`: the figures k8ssandra's MedusaTask shows).
 */
import type { PythonJsonValue } from '../../domain/python-json.js';
import type { PurgeReport } from '../../ops/api/purge.js';
import { describePurgeReason } from '../../plan/purge-selection.js';
import { formatBytesStr } from '../../util/medusa-format.js';

const SECONDS_PER_DAY = 86_400;

/** The lines of a dry run: every backup with its reasons, every orphan with its age, what the grace period spares. */
export function dryRunLines(report: PurgeReport): string[] {
  const lines: string[] = [];
  for (const node of report.nodes) {
    const { plan } = node;
    for (const b of plan.backups) {
      const reasons = b.deletion.reasons.map(describePurgeReason).join('; ');
      lines.push(`Would purge backup ${b.deletion.backup.name} of ${plan.fqdn} (${b.objects} objects, ${formatBytesStr(b.size)}): ${reasons}`);
    }
    if (node.latest.kind === 'repoint') lines.push(`Would point the latest backup of ${plan.fqdn} to ${node.latest.name}`);
    if (node.latest.kind === 'remove') lines.push(`Would remove the latest backup pointer of ${plan.fqdn}`);
    if (node.orphanCleanupSkipped) {
      lines.push(`Would not clean up orphaned files of ${plan.fqdn}: ${node.orphanCleanupSkipped}`);
      continue;
    }
    for (const o of plan.orphans) {
      const days = (o.ageSeconds / SECONDS_PER_DAY).toFixed(1);
      lines.push(`Would delete orphan ${o.key} (${formatBytesStr(o.size)}): referenced by no remaining manifest, ${days} days old`);
    }
    if (plan.sparedByGrace > 0) {
      lines.push(`Would keep ${plan.sparedByGrace} unreferenced objects of ${plan.fqdn} younger than the ${plan.graceDays} days grace period`);
    }
  }
  const t = report.totals;
  lines.push(`Dry run: ${t.nbBackupsPurged} backups and ${t.nbObjectsPurged} objects (${formatBytesStr(t.totalPurgedSize)}) would be purged; nothing was deleted`);
  return lines;
}

/**
 * The JSON summary: `nbBackupsPurged`, `nbObjectsPurged`, `totalPurgedSize`,
 * `totalObjectsWithinGcGrace` (in that order), then `dryRun` and the purged backups with reasons.
 */
export function purgeJson(report: PurgeReport): { [key: string]: PythonJsonValue } {
  return {
    nbBackupsPurged: report.totals.nbBackupsPurged,
    nbObjectsPurged: report.totals.nbObjectsPurged,
    totalPurgedSize: report.totals.totalPurgedSize,
    totalObjectsWithinGcGrace: report.totals.totalObjectsWithinGcGrace,
    dryRun: report.dryRun,
    backups: report.nodes.flatMap((n) =>
      n.plan.backups.map((b) => ({
        fqdn: n.plan.fqdn,
        name: b.deletion.backup.name,
        reasons: b.deletion.reasons.map((r) => r.kind),
      })),
    ),
  };
}
