/**
 * What `restore-cluster` shows on stdout and asks on stderr: the mapping (before any question),
 * the questions' wording (Medusa's), and the summary of restored, failed and not attempted hosts
 * (printed on failure too, before the error line).
 */
import { describeMapping } from '../../plan/restore-mapping.js';
import type { RestoreClusterResult, RestoreMapping, RestoreQuestion } from '../../ops/api/restore-cluster.js';

/** The mapping, one line for the mode and one per target host. */
export function mappingLines(mapping: RestoreMapping): string[] {
  return describeMapping(mapping);
}

/** The words of each question. */
export function questionText(question: RestoreQuestion): string {
  switch (question) {
    case 'keep-auth':
      return 'Do you want to skip restoring the system_auth keyspace and keep the credentials of the target cluster? (Y/n)';
    case 'proceed':
      return 'Are you sure you want to proceed? (Y/n)';
  }
}

/** Restored, then failed and not attempted hosts when there are any. */
export function summaryLines(result: Pick<RestoreClusterResult, 'restored' | 'failed' | 'notAttempted'>): string[] {
  const { restored, failed, notAttempted } = result;
  return [
    `Restored: ${restored.length > 0 ? restored.join(', ') : 'none'}`,
    ...(failed.length > 0 ? [`Failed: ${failed.map((f) => f.host).join(', ')}`] : []),
    ...(notAttempted.length > 0 ? [`Not restored (not attempted): ${notAttempted.join(', ')}`] : []),
  ];
}
