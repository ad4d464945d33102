/**
 * The `--output json` documents of the commands that report (README "JSON output" documents each
 * shape): one JSON object on one line on stdout, camelCase keys, times as epoch seconds, sizes in
 * bytes. These are medusa-ts's own (Medusa has no JSON for these commands); the text output of
 * each command is unchanged. Keys are never removed; an absent value is `null`, not a missing key.
 */
import type { BackupSummary } from '../../ops/api/backup.js';
import type { BackupClusterResult } from '../../ops/api/backup-cluster.js';
import type { DownloadSummary } from '../../ops/api/download.js';
import type { ClusterBackup } from '../../domain/backups.js';
import type { VerifyProblem, VerifyReport } from '../../ops/api/maintenance.js';
import type { LastBackupReport } from '../../ops/api/report-last-backup.js';
import type { RestoreClusterResult } from '../../ops/api/restore-cluster.js';
import type { RestoreNodeResult } from '../../ops/api/restore-node.js';

/** A JSON object, as `JSON.stringify` writes it. */
export type JsonObject = { [key: string]: unknown };

const seconds = (epochMs: number): number => Math.floor(epochMs / 1000);

/** `backup --output json`. */
export function backupJson(s: BackupSummary): JsonObject {
  return {
    backupName: s.name,
    mode: s.differential ? 'differential' : 'full',
    started: seconds(s.started),
    extractStarted: seconds(s.extractStarted),
    finished: seconds(s.finished),
    durationSeconds: (s.finished - s.extractStarted) / 1000,
    files: s.uploaded + s.kept,
    bytes: s.totalSize,
    uploadedFiles: s.uploaded,
    uploadedBytes: s.uploadedBytes,
    reuploadedFiles: s.replaced,
    reusedFiles: s.kept,
    reusedBytes: s.keptBytes,
  };
}

function problemJson(p: VerifyProblem): JsonObject {
  return { kind: p.kind, path: p.path, reason: p.kind === 'different' ? p.reason : null };
}

/** One backup's verification: `status` is `ok`, `incomplete` or `failed`. */
export function verifyReportJson({ detailed, problems }: VerifyReport): JsonObject {
  const { backup } = detailed;
  const status = !backup.complete ? 'incomplete' : problems.length > 0 ? 'failed' : 'ok';
  return {
    backupName: backup.name,
    status,
    complete: backup.complete,
    incompleteNodes: backup.incompleteNodes.map((nb) => ({ fqdn: nb.fqdn, started: nb.started })),
    missingNodes: [...backup.missingNodes],
    problems: problems.map(problemJson),
  };
}

/** `verify --all --output json`: every report, then the names that failed or were incomplete. */
export function verifyAllJson(reports: readonly VerifyReport[]): JsonObject {
  const docs = reports.map(verifyReportJson);
  return {
    ok: docs.every((d) => d.status !== 'failed'),
    backups: docs,
    failed: docs.filter((d) => d.status === 'failed').map((d) => d.backupName),
    incomplete: docs.filter((d) => d.status === 'incomplete').map((d) => d.backupName),
  };
}

/** `report-last-backup --output json`. */
export function lastBackupReportJson(r: LastBackupReport): JsonObject {
  return {
    node: r.node ? { backupName: r.node.name, finished: r.node.finished, secondsAgo: r.node.secondsAgo } : null,
    latestComplete: r.latestComplete ? { backupName: r.latestComplete.name, finished: r.latestComplete.finished, secondsAgo: r.latestComplete.secondsAgo } : null,
    latest: r.latest
      ? {
          backupName: r.latest.name,
          complete: r.latest.complete,
          completeNodes: r.latest.completeNodes,
          incompleteNodes: [...r.latest.incompleteNodes],
          missingNodes: [...r.latest.missingNodes],
          bytes: r.latest.size,
          files: r.latest.files,
        }
      : null,
  };
}

/** `get-last-complete-cluster-backup --output json`; every value null when there is none. */
export function lastCompleteJson(b: ClusterBackup | undefined): JsonObject {
  return {
    backupName: b?.name ?? null,
    backupType: b?.backupType ?? null,
    started: b ? b.started : null,
    finished: b?.finished ?? null,
    nodes: b ? b.completeNodes.map((n) => n.fqdn) : null,
  };
}

function downloadJson(d: DownloadSummary): JsonObject {
  return { downloadedFiles: d.filesDownloaded, downloadedBytes: d.bytesDownloaded, keptFiles: d.filesKept, keptBytes: d.bytesKept, hashCheckedFiles: d.filesHashChecked };
}

/** `download --output json`. */
export function downloadSummaryJson(backupName: string, destination: string, d: DownloadSummary): JsonObject {
  return { backupName, destination, ...downloadJson(d) };
}

/** `restore-node --output json`: one entry per backup node restored onto this one. */
export function restoreNodeJson(backupName: string, r: RestoreNodeResult): JsonObject {
  return {
    backupName,
    restored: r.restored.map((x) => ({
      fqdn: x.fqdn,
      files: x.plan.totalFiles,
      bytes: x.plan.totalBytes,
      ...(x.download ? downloadJson(x.download) : { downloadedFiles: null, downloadedBytes: null, keptFiles: null, keptBytes: null, hashCheckedFiles: null }),
    })),
  };
}

/** `backup-cluster --output json`. */
export function backupClusterJson(r: BackupClusterResult): JsonObject {
  return { backupName: r.backupName, hosts: [...r.hosts], seconds: r.seconds, jobDir: r.jobDir };
}

/** `restore-cluster --output json`, printed on failure too (then `ok` is false). */
export function restoreClusterJson(backupName: string, r: RestoreClusterResult): JsonObject {
  return {
    backupName,
    ok: r.failed.length === 0 && r.notAttempted.length === 0,
    inPlace: r.mapping.inPlace,
    useSstableloader: r.mapping.useSstableloader,
    mapping: [...r.mapping.hosts].map(([target, a]) => ({ target, sources: [...a.sources], seed: a.seed })),
    restored: [...r.restored],
    failed: r.failed.map((f) => ({
      host: f.host,
      step: f.step,
      exitCode: f.exitCode ?? null,
      reason: f.failure ? `${f.failure.kind}: ${f.failure.message}` : `exit code ${String(f.exitCode)}`,
      stderrTail: f.stderrTail,
      logDir: f.logDir,
    })),
    notAttempted: [...r.notAttempted],
    jobDir: r.jobDir,
  };
}

/** The one line a JSON document is printed as. */
export function jsonLine(doc: JsonObject): string {
  return JSON.stringify(doc);
}
