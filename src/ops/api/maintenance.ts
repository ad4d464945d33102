/**
 * Entry points that check or repair what the bucket holds: `verify` (is every object a backup
 * names there, with the recorded size and hash) and `build-index` (rewrite the index from the
 * backups themselves).
 */
import { buildIndex, type BuildIndexResult } from '../build-index.js';
import { verifyAll, verifyBackup, type VerifyReport } from '../verify.js';
import type { RunOptions, Session } from './session.js';

export type { BuildIndexResult } from '../build-index.js';
export type { VerifyReport } from '../verify.js';
export type { VerifyProblem } from '../../plan/verify-plan.js';

/** What a face asks of a verification. */
export interface VerifyRequest {
  readonly backupName: string;
  /** Compare hashes too; `[checks] enable_md5_checks` turns this on as well. */
  readonly enableMd5Checks: boolean;
}

/** Verifies the backup; `BackupNotFoundError` when the bucket has none of that name. */
export function runVerify(session: Session, request: VerifyRequest, run: RunOptions = {}): Promise<VerifyReport> {
  return verifyBackup(session, request.backupName, request.enableMd5Checks || session.config.checks.enable_md5_checks, run.progress);
}

/**
 * Verifies every backup of the bucket, oldest first (each stored object listed and hashed once);
 * `onReport` gets each report as soon as it is made.
 */
export function runVerifyAll(session: Session, request: { readonly enableMd5Checks: boolean }, onReport?: (r: VerifyReport) => void, run: RunOptions = {}): Promise<VerifyReport[]> {
  return verifyAll(session, request.enableMd5Checks || session.config.checks.enable_md5_checks, onReport, run.progress);
}

/** Finds every finished node backup and, unless `noop`, writes its index entries. */
export function runBuildIndex(session: Session, request: { readonly noop: boolean }): Promise<BuildIndexResult> {
  return buildIndex(session, request.noop);
}
