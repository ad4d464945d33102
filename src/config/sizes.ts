/**
 * Human-readable sizes in `medusa.ini` (`transfer_max_bandwidth = 50MB/s`, `multipart_chunksize = 50MB`).
 *
 * Grammar, a superset of Medusa's `_human_size_to_bytes` (reference §2.1, design §2.8):
 * - white space anywhere is ignored and one trailing `/s` is dropped, so `50 MB/s` reads as `50MB`;
 * - `B KB MB GB TB PB` are binary multiples (1024ⁿ) exactly as in Medusa, so `20MB` = 20971520;
 * - `KiB MiB GiB TiB PiB` mean the same multiples, spelled the IEC way;
 * - units are matched without regard to case (`50mb` works; Medusa rejects it, which helps nobody);
 * - a bare integer is a number of bytes; a number with a unit may have a fraction (`1.5GB`, as
 *   Medusa accepts) and is rounded down to whole bytes; a bare fraction (`1.5`) is refused because
 *   it has no sensible meaning in bytes.
 */

const UNIT_EXPONENTS: Readonly<Record<string, number>> = {
  b: 0,
  kb: 1,
  mb: 2,
  gb: 3,
  tb: 4,
  pb: 5,
  kib: 1,
  mib: 2,
  gib: 3,
  tib: 4,
  pib: 5,
};

const SIZE_PATTERN = /^(\d+(?:\.\d+)?|\.\d+)([a-z]*)$/i;

/** What a valid size looks like, for error messages. */
export const SIZE_HINT =
  'expected bytes (e.g. 1048576) or a number with a unit: B, KB, MB, GB, TB, PB (binary, 1 MB = 1048576 bytes, as in Medusa) or KiB, MiB, GiB, TiB';

/** The text is not a size this grammar accepts. The message quotes the text and says what is expected. */
export class InvalidSizeError extends Error {
  constructor(text: string) {
    super(`${JSON.stringify(text)} is not a size; ${SIZE_HINT}`);
    this.name = 'InvalidSizeError';
  }
}

/**
 * Parses a human-readable size into a whole number of bytes (a safe integer, never negative).
 * Throws {@link InvalidSizeError} for anything else: empty text, negative numbers, unknown units,
 * bare fractions, values beyond `Number.MAX_SAFE_INTEGER`.
 */
export function parseHumanSize(text: string): number {
  let cleaned = text.replace(/\s+/g, '');
  if (/\/s$/i.test(cleaned)) cleaned = cleaned.slice(0, -2);
  const match = SIZE_PATTERN.exec(cleaned);
  if (!match) throw new InvalidSizeError(text);
  const digits = match[1] ?? '';
  const unit = (match[2] ?? '').toLowerCase();
  const isFraction = digits.includes('.');
  if (unit === '') {
    if (isFraction) throw new InvalidSizeError(text);
    const bytes = Number(digits);
    if (!Number.isSafeInteger(bytes)) throw new InvalidSizeError(text);
    return bytes;
  }
  const exponent = UNIT_EXPONENTS[unit];
  if (exponent === undefined) throw new InvalidSizeError(text);
  const bytes = Math.floor(Number(digits) * 1024 ** exponent);
  if (!Number.isSafeInteger(bytes)) throw new InvalidSizeError(text);
  return bytes;
}
