/**
 * What `medusa doctor` reports: one result per check, in the order they ran. A check that could
 * not run because an earlier one failed (no configuration, no storage, no CQL) is `skipped`, which
 * counts as not passing: doctor succeeds only when every check is `ok`.
 */

export type CheckStatus = 'ok' | 'fail' | 'skipped';

export interface CheckResult {
  /** Stable identifier (JSON consumers key on it): e.g. `config`, `bucket-probe`, `ssh:node2`. */
  readonly id: string;
  /** What was checked, for the text line. */
  readonly title: string;
  readonly status: CheckStatus;
  /** What was found: the evidence of an `ok`, the problem of a `fail`, the reason of a `skipped`. */
  readonly detail: string;
  /** For a `fail`: what to change. */
  readonly fix?: string;
  /** How long the check took. */
  readonly ms: number;
}

export interface DoctorReport {
  readonly checks: readonly CheckResult[];
  /** True when every check is `ok`. */
  readonly healthy: boolean;
}

/** A check's outcome before it is timed and named. */
export type Outcome = { readonly status: CheckStatus; readonly detail: string; readonly fix?: string };

export const ok = (detail: string): Outcome => ({ status: 'ok', detail });
export const fail = (detail: string, fix: string): Outcome => ({ status: 'fail', detail, fix });
export const skipped = (detail: string): Outcome => ({ status: 'skipped', detail });
