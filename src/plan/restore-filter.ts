/**
 * Which manifest sections a `restore-node` or `download` keeps, from `--keyspace` and `--table`
 * (reference §1.2, Medusa's `filtering.py`). Pure: data in, data out.
 *
 * Rules, in order, for each section:
 * 1. no `--keyspace` and no `--table` given → every section is kept;
 * 2. the section's keyspace is one of `--keyspace` → kept;
 * 3. the keyspace is a system keyspace (`system`, `system_schema`, `system_auth`,
 *    `system_distributed`) → kept, unless `ignoreSystemKeyspaces` (`download` only);
 * 4. `<keyspace>.<table>` is one of `--table`, where the table name is the table directory's name
 *    up to its first `-` (`users-5b2a...` → `users`) → kept;
 * 5. otherwise the section is left out.
 * `--keyspace` therefore dominates `--table`.
 */
import type { ManifestSection } from '../domain/manifest.js';

/** Keyspaces Cassandra owns, always restored with a filtered restore (rule 3). */
export const FILTER_SYSTEM_KEYSPACES: ReadonlySet<string> = new Set(['system', 'system_schema', 'system_auth', 'system_distributed']);

/** The command-line filter. */
export interface RestoreFilter {
  /** `--keyspace` values (repeatable). */
  readonly keyspaces: readonly string[];
  /** `--table` values, `keyspace.table` without the table id (repeatable). */
  readonly tables: readonly string[];
  /** `--ignore-system-keyspaces` (download): system keyspaces are kept only when named. */
  readonly ignoreSystemKeyspaces?: boolean;
}

/** The table name of a table directory: its name up to the first `-` (the id follows it). */
export function tableNameOf(tableDir: string): string {
  const dash = tableDir.indexOf('-');
  return dash < 0 ? tableDir : tableDir.slice(0, dash);
}

/** Why a section is kept or left out, for logs. */
export type FilterReason = 'no-filter' | 'keyspace' | 'system-keyspace' | 'table' | 'not-selected';

/** Whether `filter` keeps the section of `keyspace`/`tableDir`, and why. */
export function filterDecision(filter: RestoreFilter, keyspace: string, tableDir: string): FilterReason {
  if (filter.keyspaces.length === 0 && filter.tables.length === 0) return 'no-filter';
  if (filter.keyspaces.includes(keyspace)) return 'keyspace';
  if (filter.ignoreSystemKeyspaces !== true && FILTER_SYSTEM_KEYSPACES.has(keyspace)) return 'system-keyspace';
  if (filter.tables.includes(`${keyspace}.${tableNameOf(tableDir)}`)) return 'table';
  return 'not-selected';
}

/** The result of filtering a manifest. */
export interface FilteredSections<S extends Pick<ManifestSection, 'keyspace' | 'columnfamily'>> {
  /** Sections kept, in manifest order. */
  readonly kept: readonly S[];
  /** `keyspace.table` (without id) of every section left out, sorted and unique, for "Skipping restore of" logs. */
  readonly ignored: readonly string[];
}

/** Splits `sections` into those `filter` keeps and the names of those it leaves out. */
export function filterSections<S extends Pick<ManifestSection, 'keyspace' | 'columnfamily'>>(sections: readonly S[], filter: RestoreFilter): FilteredSections<S> {
  const kept: S[] = [];
  const ignored = new Set<string>();
  for (const s of sections) {
    if (filterDecision(filter, s.keyspace, s.columnfamily) === 'not-selected') ignored.add(`${s.keyspace}.${tableNameOf(s.columnfamily)}`);
    else kept.push(s);
  }
  return { kept, ignored: [...ignored].sort() };
}

/**
 * Problems with the filter values themselves (a `--table` without a `.`), as messages naming the
 * value. Medusa silently matches nothing for such values; we say so.
 */
export function filterProblems(filter: RestoreFilter): string[] {
  const out: string[] = [];
  for (const t of filter.tables) {
    const dot = t.indexOf('.');
    if (dot <= 0 || dot === t.length - 1) out.push(`--table ${JSON.stringify(t)} must be <keyspace>.<table>`);
  }
  for (const k of filter.keyspaces) if (k === '') out.push('--keyspace may not be empty');
  return out;
}
