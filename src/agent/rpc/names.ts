/**
 * Checks of the names a request carries before anything is looked up or built from them: backup
 * names and restore keys become path segments (in the bucket, or a file under the restore mapping
 * folder), so one that could escape its folder is refused (design §4) with INVALID_ARGUMENT,
 * naming the field. Nothing is read or written for a refused request.
 */
import { segmentProblem } from '../../layout/segments.js';
import { rpcError } from '../rpc-error.js';

/** `value` when it can be one path segment; otherwise throws INVALID_ARGUMENT naming `field`. */
export function requireSegment(field: string, value: string): string {
  const problem = segmentProblem(value);
  if (problem !== undefined) throw rpcError.invalidArgument(`${field} ${JSON.stringify(value)} ${problem}`);
  return value;
}

/** `YYYY-MM-DD HH:MM:SS` in the agent's local time (Python's `'%Y-%m-%d %H:%M:%S'` of a local datetime). */
export function localTimestamp(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
