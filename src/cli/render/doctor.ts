/** The text of `medusa doctor`: one line per check, status first, with the fix on a failure. */
import type { CheckResult, DoctorReport } from '../../ops/api/doctor.js';

const LABEL = { ok: 'OK  ', fail: 'FAIL', skipped: 'SKIP' } as const;

/** `OK   title: detail`, `FAIL title: detail -> fix: ...`, `SKIP title: reason`. */
export function doctorLine(r: CheckResult): string {
  return `${LABEL[r.status]} ${r.title}: ${r.detail}${r.status === 'fail' && r.fix ? ` -> fix: ${r.fix}` : ''}`;
}

/** The closing line. */
export function doctorSummary(report: DoctorReport): string {
  const passed = report.checks.filter((c) => c.status === 'ok').length;
  return report.healthy ? `All ${passed} checks passed` : `${report.checks.length - passed} of ${report.checks.length} checks did not pass`;
}

/** The `--output json` document: `healthy` and every check (id, title, status, detail, fix, ms). */
export function doctorJson(report: DoctorReport): string {
  return JSON.stringify({ healthy: report.healthy, checks: report.checks });
}
