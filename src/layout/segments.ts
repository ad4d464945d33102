/**
 * Validation of the names that become single path segments in bucket keys and on disk: backup
 * names, fqdns, keyspaces, table directories. A name that could escape its folder is refused
 * before any key or path is built from it (design §4).
 */

/**
 * Why `value` cannot be one path segment, or `undefined` when it can. Refused: empty, `.`, `..`,
 * anything with `/`, `\` or a NUL byte.
 */
export function segmentProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (value === '.' || value === '..') return `may not be "${value}"`;
  if (value.includes('/')) return 'may not contain "/"';
  if (value.includes('\\')) return 'may not contain "\\"';
  if (value.includes('\0')) return 'may not contain a NUL byte';
  return undefined;
}

/** A name that is not a valid single path segment. */
export class InvalidSegmentError extends Error {
  constructor(what: string, value: string, problem: string) {
    super(`invalid ${what} ${JSON.stringify(value)}: ${problem}`);
    this.name = 'InvalidSegmentError';
  }
}

/** Throws `InvalidSegmentError` naming `what` when `value` is not a valid single path segment. */
export function assertSegment(what: string, value: string): void {
  const problem = segmentProblem(value);
  if (problem !== undefined) throw new InvalidSegmentError(what, value, problem);
}
