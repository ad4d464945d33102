/**
 * Where an SSTable component lives inside a data folder (`{P}F/data/` or `{P}F/N/data/`), and the
 * second, content-tagged place a differential backup uses when the file's usual key already holds
 * other bytes (after an in-place restore Cassandra reuses SSTable names; see plan/backup-plan.ts).
 *
 * - Plain key, as Medusa writes it: `<keyspace>/<tableDir>/<file>`, or
 *   `<keyspace>/<tableDir>/.<index>/<file>` for a secondary-index component.
 * - Tagged key: the table segment becomes `<tableDir>~<tag>`, the rest is unchanged:
 *   `<keyspace>/<tableDir>~<tag>/<file>`, `<keyspace>/<tableDir>~<tag>/.<index>/<file>`. The tag
 *   is the file's MD5 in hex, followed by `~2`, `~3`... only if that key is itself taken.
 *
 * Why this shape, given what Python Medusa 0.31 derives from a key:
 * - its download names the local file after the key's last segment, and puts it in
 *   `<table>/<parent>/` only when the parent segment starts with `.` (a secondary index): both
 *   stay true, so Medusa restores a tagged object to the same place as a plain one;
 * - its differential reads `(keyspace, table)` from the two segments above the file (three for an
 *   index file) and groups its sorted listing with `itertools.groupby`, which resets a keyspace's
 *   entries when that keyspace shows up twice apart. A tagged key keeps `<keyspace>` where Medusa
 *   looks for it, so the keyspace's keys stay together; its table name `<tableDir>~<tag>` matches no
 *   table on disk, so Medusa never reuses (nor overwrites) a tagged object;
 * - Cassandra table directories are `<name>-<id>` with `name` in `[A-Za-z0-9_]`: `~` never occurs
 *   in one, and the tag is hex, so a tagged segment never ends with `nodes` (DSE's folder).
 */
import { assertSegment } from './segments.js';

/** Separates a table directory from a content tag. */
export const TAG_SEPARATOR = '~';

/** Where a data object sits inside its data folder. */
export interface DataKeyParts {
  readonly keyspace: string;
  /** The table directory (for a tagged key, without the tag). */
  readonly tableDir: string;
  /** `<file>` or `.<index>/<file>`. */
  readonly relativePath: string;
  /** The content tag of a tagged key; undefined for the plain key. */
  readonly tag?: string;
}

/** The table segment of a key: `tableDir`, or `tableDir~tag`. */
export function tableSegment(tableDir: string, tag?: string): string {
  if (tag === undefined) return tableDir;
  assertSegment('content tag', tag);
  return `${tableDir}${TAG_SEPARATOR}${tag}`;
}

/**
 * The tag for the `attempt`-th tagged key of a file with MD5 `md5Hex` (attempt 1 = the MD5 alone,
 * then `~2`, `~3`...): the same content always maps to the same first key, so re-running a backup
 * reuses what an interrupted run stored.
 */
export function contentTag(md5Hex: string, attempt = 1): string {
  if (!/^[0-9a-f]{32}$/.test(md5Hex)) throw new RangeError(`content tag needs an MD5 in lower-case hex, got ${JSON.stringify(md5Hex)}`);
  if (!Number.isSafeInteger(attempt) || attempt < 1) throw new RangeError(`content tag attempt must be 1 or more, got ${attempt}`);
  return attempt === 1 ? md5Hex : `${md5Hex}${TAG_SEPARATOR}${attempt}`;
}

/**
 * Parses the part of a key below its data folder (`<keyspace>/<table segment>/[.<index>/]<file>`).
 * Returns `undefined` for any other shape (DSE folders, stray objects): such a key is never taken
 * for a file's stored copy.
 */
export function parseDataRest(rest: string): DataKeyParts | undefined {
  const parts = rest.split('/');
  if (parts.some((p) => p === '')) return undefined;
  let relativePath: string;
  if (parts.length === 3) relativePath = parts[2]!;
  else if (parts.length === 4 && parts[2]!.startsWith('.')) relativePath = `${parts[2]!}/${parts[3]!}`;
  else return undefined;
  const keyspace = parts[0]!;
  const segment = parts[1]!;
  const cut = segment.indexOf(TAG_SEPARATOR);
  if (cut < 0) return { keyspace, tableDir: segment, relativePath };
  const tableDir = segment.slice(0, cut);
  const tag = segment.slice(cut + 1);
  if (tableDir === '' || tag === '') return undefined;
  return { keyspace, tableDir, relativePath, tag };
}

/** Identity of a file across plain and tagged keys: keyspace, table directory, path inside it. */
export function fileIdentity(keyspace: string, tableDir: string, relativePath: string): string {
  return `${keyspace}/${tableDir}/${relativePath}`;
}
