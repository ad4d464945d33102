/**
 * The operator's side of a backup job (k8ssandra-operator's MedusaBackupJob, spec medusa-agent.md
 * §4), for tests: BackupStatus polled until the backup leaves IN_PROGRESS, and the summary fields
 * the operator reads from GetBackups.
 */
import assert from 'node:assert/strict';
import type { ReferenceGrpcClient } from './medusa-grpc-client.js';

/** A GetBackups summary as json_format gives it (int64 as strings). */
export interface OperatorSummary {
  readonly backupName: string;
  readonly startTime: string;
  readonly finishTime: string;
  readonly totalNodes: number;
  readonly finishedNodes: number;
  readonly nodes: ReadonlyArray<{ host: string; tokens: string[]; datacenter: string; rack: string }>;
  readonly status: string;
  readonly backupType: string;
  readonly totalSize: string;
  readonly totalObjects: string;
}

/**
 * Polls BackupStatus of `name` (every `everyMs`) until it is no longer IN_PROGRESS; returns every
 * status seen, in order, the last one first seen last. A failed call (NOT_FOUND included, which the
 * operator counts as a failed backup) ends the poll with `<CODE>` as the last entry.
 */
export async function pollBackupStatus(client: ReferenceGrpcClient, target: string, name: string, o: { timeoutMs?: number; everyMs?: number } = {}): Promise<string[]> {
  const deadline = Date.now() + (o.timeoutMs ?? 600_000);
  const seen: string[] = [];
  for (;;) {
    const answer = await client.call(target, 'BackupStatus', { backupName: name });
    const status = answer.ok ? String(answer.response.status) : `<${answer.code}>`;
    if (seen.at(-1) !== status) seen.push(status);
    if (status !== 'IN_PROGRESS') return seen;
    assert.ok(Date.now() < deadline, `backup ${name} still IN_PROGRESS after ${(o.timeoutMs ?? 600_000) / 1000} s`);
    await new Promise((r) => setTimeout(r, o.everyMs ?? 500));
  }
}
