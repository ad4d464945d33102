/**
 * What a `restore-node` or `download` will do with each manifest section, decided before anything
 * is downloaded or touched (reference §5.1, §5.2, §5.5; design §3-4). Pure: data in, data out.
 *
 * Every name that becomes a path is checked here first: keyspaces, table directories and every
 * segment of every object key must be plain path segments (no `..`, `.`, `/`, `\`, NUL, nothing
 * empty), object keys must lie under the configured prefix and under their own section's
 * `<keyspace>/<table dir>/`. A manifest failing any check is refused as a whole, with every problem
 * named, so a crafted or damaged manifest can never make a restore write outside the data or
 * destination directory.
 */
import type { Manifest, ManifestSection } from '../domain/manifest.js';
import { prefixPath, type BucketLayout } from '../layout/keys.js';
import { TAG_SEPARATOR } from '../layout/pool-keys.js';
import { segmentProblem } from '../layout/segments.js';
import { filterSections, type RestoreFilter } from './restore-filter.js';

/** How the planned sections will be used. */
export type RestoreMode =
  /** `medusa download`: files into a destination folder, Cassandra untouched. */
  | { readonly kind: 'download' }
  /** `restore-node` copy mode: live table directories replaced while Cassandra is down. */
  | { readonly kind: 'copy'; readonly inPlace: boolean; readonly keepAuth: boolean }
  /** `restore-node --use-sstableloader`: tables streamed into the running cluster. */
  | { readonly kind: 'sstableloader'; readonly keepAuth: boolean };

/** One file to fetch. */
export interface PlannedFile {
  /** Object key, exactly as in the manifest. */
  readonly key: string;
  /** Path inside the table directory: `<file>` or `.<index>/<file>` (secondary index). */
  readonly relPath: string;
  readonly size: number;
  /** The manifest's hash (store form), or null where none was recorded. */
  readonly hash: string | null;
}

/**
 * What happens to one table directory:
 * - `restore`: its files are downloaded, then (copy mode) replace the live directory;
 * - `empty`: the backup holds no file for it; copy mode leaves the live directory empty, as Medusa;
 * - `clear`: remote copy restore of `system.local` / `peers*`: the live directory is emptied but
 *   nothing is restored (the node must not take the source node's identity);
 * - `keep`: left completely alone (`system_auth` with `--keep-auth`, system schema tables with
 *   sstableloader).
 */
export type TableAction = 'restore' | 'empty' | 'clear' | 'keep';

/** One table directory of the plan. */
export interface PlannedTable {
  readonly keyspace: string;
  /** Table directory name, id included. */
  readonly tableDir: string;
  readonly action: TableAction;
  /** Files to fetch (only for `restore`). */
  readonly files: readonly PlannedFile[];
  /** Why the action, for logs. */
  readonly reason: string;
}

/** The whole plan. */
export interface RestorePlan {
  /** Selected sections, in manifest order (duplicate sections merged). */
  readonly tables: readonly PlannedTable[];
  /** `keyspace.table` of sections the filter left out (for "Skipping restore of ..." logs). */
  readonly ignored: readonly string[];
  /** Bytes of every file to fetch. */
  readonly totalBytes: number;
  /** Number of files to fetch. */
  readonly totalFiles: number;
}

/** The manifest cannot be used safely; `problems` names each section or object at fault. */
export class UnsafeManifestError extends Error {
  constructor(
    readonly manifestKey: string,
    readonly problems: readonly string[],
  ) {
    const shown = problems.slice(0, 10).join('; ');
    const more = problems.length > 10 ? `; and ${problems.length - 10} more` : '';
    super(`refusing manifest ${manifestKey}: ${shown}${more}`);
    this.name = 'UnsafeManifestError';
  }
}

/** Keyspaces sstableloader must never load: the loading node has its own. */
const NEVER_LOADED = new Set(['system', 'system_schema']);

function decideAction(mode: RestoreMode, keyspace: string, tableDir: string, hasFiles: boolean): { action: TableAction; reason: string } {
  if (mode.kind !== 'download' && keyspace === 'system_auth' && mode.keepAuth) return { action: 'keep', reason: '--keep-auth' };
  if (mode.kind === 'sstableloader' && NEVER_LOADED.has(keyspace)) return { action: 'keep', reason: 'system keyspaces are never loaded with sstableloader' };
  if (mode.kind === 'copy' && !mode.inPlace && ((keyspace === 'system' && tableDir.startsWith('local-')) || tableDir.startsWith('peers'))) {
    return { action: 'clear', reason: 'a remote restore keeps the node identity (system.local, peers)' };
  }
  if (!hasFiles) return { action: 'empty', reason: 'no files in the backup' };
  return { action: 'restore', reason: 'selected' };
}

/**
 * The path of `key` inside its section's table directory, or a problem. The key must read
 * `{P}...<keyspace>/<tableDir>/<file>` or `{P}...<keyspace>/<tableDir>/.<index>/<file>`, where the
 * table segment may carry a content tag (`<tableDir>~<tag>`, `layout/pool-keys.ts`).
 */
function relPathOf(key: string, prefix: string, section: ManifestSection): { relPath: string } | { problem: string } {
  if (key.startsWith('/')) return { problem: 'is an absolute path' };
  if (!key.startsWith(prefix)) return { problem: `is outside the bucket prefix ${JSON.stringify(prefix)}` };
  const segments = key.split('/');
  for (const s of segments) {
    const p = segmentProblem(s);
    if (p !== undefined) return { problem: `has a path segment that ${p}` };
  }
  const n = segments.length;
  const hidden = n >= 4 && segments[n - 2]!.startsWith('.');
  const base = hidden ? n - 4 : n - 3;
  const table = base >= 0 ? segments[base + 1]! : '';
  const tableMatches = table === section.columnfamily || (table.startsWith(`${section.columnfamily}${TAG_SEPARATOR}`) && table.length > section.columnfamily.length + 1);
  if (base < 0 || segments[base] !== section.keyspace || !tableMatches) {
    return { problem: `is not under ${section.keyspace}/${section.columnfamily}/` };
  }
  return { relPath: segments.slice(base + 2).join('/') };
}

/**
 * Plans a restore or download of `manifest` (read from `manifestKey`, which errors name). Throws
 * `UnsafeManifestError` when any selected section or object would escape its folder; sections the
 * filter leaves out are still checked, so a damaged manifest is reported whatever the filter.
 */
export function planRestore(manifest: Manifest, manifestKey: string, layout: BucketLayout, filter: RestoreFilter, mode: RestoreMode): RestorePlan {
  const prefix = prefixPath(layout);
  const problems: string[] = [];
  const filesOf = new Map<ManifestSection, PlannedFile[]>();
  for (const section of manifest) {
    const where = `section ${JSON.stringify(`${section.keyspace}.${section.columnfamily}`)}`;
    const ksProblem = segmentProblem(section.keyspace);
    const tdProblem = segmentProblem(section.columnfamily);
    if (ksProblem !== undefined) problems.push(`${where}: keyspace ${ksProblem}`);
    if (tdProblem !== undefined) problems.push(`${where}: table directory ${tdProblem}`);
    if (ksProblem !== undefined || tdProblem !== undefined) continue;
    const files: PlannedFile[] = [];
    for (const o of section.objects) {
      const rel = relPathOf(o.path, prefix, section);
      if ('problem' in rel) problems.push(`${where}: object ${JSON.stringify(o.path)} ${rel.problem}`);
      else files.push({ key: o.path, relPath: rel.relPath, size: o.size, hash: o.MD5 });
    }
    filesOf.set(section, files);
  }
  if (problems.length > 0) throw new UnsafeManifestError(manifestKey, problems);

  const { kept, ignored } = filterSections(manifest, filter);
  // Sections naming the same table directory (a manifest assembled from several data directories) are merged.
  const grouped = new Map<string, { keyspace: string; tableDir: string; files: PlannedFile[] }>();
  for (const s of kept) {
    const id = `${s.keyspace}/${s.columnfamily}`;
    const group = grouped.get(id) ?? { keyspace: s.keyspace, tableDir: s.columnfamily, files: [] };
    group.files.push(...(filesOf.get(s) ?? []));
    grouped.set(id, group);
  }
  const tables: PlannedTable[] = [];
  let totalBytes = 0;
  let totalFiles = 0;
  for (const { keyspace, tableDir, files } of grouped.values()) {
    const seen = new Set<string>();
    for (const f of files) {
      if (seen.has(f.relPath)) problems.push(`section ${JSON.stringify(`${keyspace}.${tableDir}`)}: two objects land on ${f.relPath}`);
      seen.add(f.relPath);
    }
    const { action, reason } = decideAction(mode, keyspace, tableDir, files.length > 0);
    const fetched = action === 'restore' ? files : [];
    for (const f of fetched) totalBytes += f.size;
    totalFiles += fetched.length;
    tables.push({ keyspace, tableDir, action, files: fetched, reason });
  }
  if (problems.length > 0) throw new UnsafeManifestError(manifestKey, problems);
  return { tables, ignored, totalBytes, totalFiles };
}
