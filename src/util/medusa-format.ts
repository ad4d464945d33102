/**
 * Number and time formats of Medusa's outputs, reproduced exactly: Python's `'{:.2f}'` rounds the
 * exact binary value half-to-even, which `Number.prototype.toFixed` does not, so sizes are
 * formatted with integer arithmetic (a size divided by 1024ⁿ is an exact binary fraction).
 *
 * Neutral on purpose (no CLI, no I/O): operations log with these (backup summary, purge totals,
 * report-last-backup) whichever face runs them, and the CLI's renderers print with them.
 */

/** `value / 2^shift` with two decimals, rounded half-to-even like Python's format(). */
function fixed2OfPowerOfTwoFraction(value: number, shift: number): string {
  const negative = value < 0;
  const magnitude = BigInt(Math.abs(Math.trunc(value)));
  const denominator = 1n << BigInt(shift);
  const scaled = magnitude * 100n;
  let quotient = scaled / denominator;
  const remainder = scaled % denominator;
  const twice = remainder * 2n;
  if (twice > denominator || (twice === denominator && quotient % 2n === 1n)) quotient += 1n;
  const whole = quotient / 100n;
  const cents = (quotient % 100n).toString().padStart(2, '0');
  return `${negative && quotient !== 0n ? '-' : ''}${whole}.${cents}`;
}

/** Medusa's `format_bytes_str` (status, backup summary): `B KB MB GB TB`, base 1024, two decimals. */
export function formatBytesStr(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let shift = 0;
  for (; shift < units.length - 1; shift++) {
    if (Math.floor(bytes / 2 ** (shift * 10)) < 1024) break;
  }
  return `${fixed2OfPowerOfTwoFraction(bytes, shift * 10)} ${units[shift]}`;
}

/** Medusa's `human_readable_size` (report-last-backup): `B KiB MiB ...`, two decimals. */
export function humanReadableSize(bytes: number): string {
  const units = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi'];
  for (let i = 0; i < units.length; i++) {
    if (Math.abs(bytes) / 2 ** (i * 10) < 1024) return `${fixed2OfPowerOfTwoFraction(bytes, i * 10)} ${units[i]}B`;
  }
  return `${fixed2OfPowerOfTwoFraction(bytes, 80)} YiB`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** `YYYY-MM-DD HH:MM:SS` in the local time zone, as Python's `datetime.fromtimestamp(..).strftime`. */
export function formatLocalTimestamp(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return (
    `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`
  );
}
