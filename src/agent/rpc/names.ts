/**
 * Checks of the names a request carries before anything is looked up or built from them: backup
 * names and restore keys become path segments (in the bucket, or a file under the restore mapping
 * folder), so one that could escape its folder is refused (design §4) with INVALID_ARGUMENT,
 * naming the field. Nothing is read or written for a refused request. Also the time format the
 * agent's answers use.
 */
import { segmentProblem } from '../../layout/segments.js';
import { formatLocalTimestamp } from '../../util/medusa-format.js';
import { rpcError } from '../rpc-error.js';

/** `value` when it can be one path segment; otherwise throws INVALID_ARGUMENT naming `field`. */
export function requireSegment(field: string, value: string): string {
  const problem = segmentProblem(value);
  if (problem !== undefined) throw rpcError.invalidArgument(`${field} ${JSON.stringify(value)} ${problem}`);
  return value;
}

/** `YYYY-MM-DD HH:MM:SS` in this agent's local time, of epoch ms (Python's `%Y-%m-%d %H:%M:%S`). */
export function localTimestamp(epochMs: number): string {
  return formatLocalTimestamp(Math.floor(epochMs / 1000));
}
