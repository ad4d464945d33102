/**
 * How far this machine's clock is from the object store's, judged from one write: the store
 * stamps the object (`lastModified`, often to the second) somewhere between the moment the request
 * left (`sentAt`) and the moment the answer came (`answeredAt`), both read on the local clock.
 * Pure: times in, verdict out.
 *
 * Why it matters: S3 refuses signed requests more than 15 minutes off, and purge's grace period
 * and report-last-backup's ages compare the store's times with the local clock.
 */

/** Largest skew accepted; well inside S3's 15 minutes, wide enough for a loaded machine. */
export const MAX_CLOCK_SKEW_MS = 60_000;

export interface ClockSkew {
  /** Store minus local, in ms (0 when the stamp lies inside the request's time window). */
  readonly skewMs: number;
  readonly ok: boolean;
}

/** The skew measured by one write (see the module comment); the store's stamp may be truncated to the second. */
export function judgeClockSkew(sentAt: number, answeredAt: number, storedAt: number, maxSkewMs: number = MAX_CLOCK_SKEW_MS): ClockSkew {
  // A stamp truncated to the second may read up to 1 s before the true instant.
  const earliest = Math.floor(sentAt / 1000) * 1000;
  const latest = answeredAt;
  const skewMs = storedAt < earliest ? storedAt - earliest : storedAt > latest ? storedAt - latest : 0;
  return { skewMs, ok: Math.abs(skewMs) <= maxSkewMs };
}
