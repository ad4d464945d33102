/**
 * The one owner of bucket key naming (reference §3.1). Every other module asks this one for keys;
 * nothing else concatenates `meta/`, `data/` or `index/` strings.
 *
 * `P` below is `<prefix>/` when a prefix is configured, else nothing. Keys never start with `/`.
 * Backup names and fqdns are single path segments: matching is always by whole segment, so a
 * backup `b1` never matches `b10` and a node `127.0.0.1` never matches `127.0.0.10`.
 */
import { tableSegment } from './pool-keys.js';
import { assertSegment } from './segments.js';

/** Where in the bucket a deployment lives. */
export interface BucketLayout {
  /** Multi-tenancy prefix, without slashes; undefined or empty = none. */
  readonly prefix?: string | undefined;
}

/** The objects under `{P}F/N/meta/`. `incremental` is the legacy name of `differential` (read only). */
export type MetaFile =
  | 'schema.cql'
  | 'tokenmap.json'
  | 'server_version.json'
  | 'differential'
  | 'incremental'
  | 'manifest.json';

/** The kinds of entries under `{P}index/backup_index/N/`. */
export type IndexEntryKind =
  | 'tokenmap'
  | 'schema'
  | 'manifest'
  | 'differential'
  | 'incremental'
  | 'started'
  | 'finished';

/** `P`: the prefix followed by `/`, or the empty string. */
export function prefixPath(layout: BucketLayout): string {
  return layout.prefix ? `${layout.prefix}/` : '';
}

/**
 * `{P}medusa-doctor-probe-<token>`: the object `medusa doctor` writes, reads and deletes to test
 * the bucket. A single segment with no `/`: no node, backup or index shape can match it.
 */
export function doctorProbeKey(layout: BucketLayout, token: string): string {
  assertSegment('probe token', token);
  return `${prefixPath(layout)}medusa-doctor-probe-${token}`;
}

/** `{P}F/`: everything stored for one node. */
export function nodeFolder(layout: BucketLayout, fqdn: string): string {
  assertSegment('fqdn', fqdn);
  return `${prefixPath(layout)}${fqdn}/`;
}

/** `{P}F/N/`: everything of one node backup except differential data (which is in the pool). */
export function nodeBackupFolder(layout: BucketLayout, fqdn: string, backupName: string): string {
  assertSegment('backup name', backupName);
  return `${nodeFolder(layout, fqdn)}${backupName}/`;
}

/** `{P}F/N/meta/<file>`. */
export function metaKey(layout: BucketLayout, fqdn: string, backupName: string, file: MetaFile): string {
  return `${nodeBackupFolder(layout, fqdn, backupName)}meta/${file}`;
}

/**
 * Folder holding a node backup's SSTables: the node's shared pool `{P}F/data/` for differential
 * backups, `{P}F/N/data/` for full ones.
 */
export function dataFolder(layout: BucketLayout, fqdn: string, backupName: string, differential: boolean): string {
  return differential ? `${nodeFolder(layout, fqdn)}data/` : `${nodeBackupFolder(layout, fqdn, backupName)}data/`;
}

/**
 * Key of one SSTable component. `relativePath` is the path inside the table directory: a file
 * name, or `.<index_name>/<file>` for secondary-index components. With `tag`, the content-tagged
 * key a differential backup uses when the plain one holds other bytes (`layout/pool-keys.ts`).
 */
export function dataKey(
  layout: BucketLayout,
  fqdn: string,
  backupName: string,
  differential: boolean,
  keyspace: string,
  tableDir: string,
  relativePath: string,
  tag?: string,
): string {
  assertSegment('keyspace', keyspace);
  assertSegment('table directory', tableDir);
  for (const part of relativePath.split('/')) assertSegment('SSTable path', part);
  return `${dataFolder(layout, fqdn, backupName, differential)}${keyspace}/${tableSegment(tableDir, tag)}/${relativePath}`;
}

/** `{P}index/`: the whole index. */
export function indexFolder(layout: BucketLayout): string {
  return `${prefixPath(layout)}index/`;
}

/** `{P}index/backup_index/`: listing this once gives every node backup. */
export function backupIndexFolder(layout: BucketLayout): string {
  return `${indexFolder(layout)}backup_index/`;
}

/** `{P}index/backup_index/N/`. */
export function backupIndexEntriesFolder(layout: BucketLayout, backupName: string): string {
  assertSegment('backup name', backupName);
  return `${backupIndexFolder(layout)}${backupName}/`;
}

/** One index entry, as built by `indexKey` and returned by `parseIndexKey`. */
export type IndexEntry =
  | { readonly kind: Exclude<IndexEntryKind, 'started' | 'finished'>; readonly backupName: string; readonly fqdn: string }
  | { readonly kind: 'started' | 'finished'; readonly backupName: string; readonly fqdn: string; readonly epoch: number };

const INDEX_FILE_EXTENSION: Record<IndexEntryKind, string> = {
  tokenmap: '.json',
  schema: '.cql',
  manifest: '.json',
  differential: '',
  incremental: '',
  started: '.timestamp',
  finished: '.timestamp',
};

/** `{P}index/backup_index/N/<kind>_F[_<epoch>].<ext>`. */
export function indexKey(layout: BucketLayout, entry: IndexEntry): string {
  assertSegment('fqdn', entry.fqdn);
  const folder = backupIndexEntriesFolder(layout, entry.backupName);
  const ext = INDEX_FILE_EXTENSION[entry.kind];
  if (entry.kind === 'started' || entry.kind === 'finished') {
    if (!Number.isSafeInteger(entry.epoch) || entry.epoch < 0) {
      throw new RangeError(`index ${entry.kind} timestamp must be a non-negative integer, got ${entry.epoch}`);
    }
    return `${folder}${entry.kind}_${entry.fqdn}_${entry.epoch}${ext}`;
  }
  return `${folder}${entry.kind}_${entry.fqdn}${ext}`;
}

const TIMESTAMP_FILE = /^(started|finished)_(.+)_([0-9]+)\.timestamp$/;
type NamedKind = Exclude<IndexEntryKind, 'started' | 'finished'>;
const NAMED_KINDS: ReadonlySet<string> = new Set<NamedKind>(['tokenmap', 'schema', 'manifest', 'differential', 'incremental']);

/**
 * Parses a key found under `backupIndexFolder`. Returns `undefined` for a key of any other shape
 * (wrong segment count, unknown file name), which callers report as a warning and ignore, as
 * Medusa does. A timestamp name is tried first so fqdns may contain `_`.
 */
export function parseIndexKey(layout: BucketLayout, key: string): IndexEntry | undefined {
  const root = backupIndexFolder(layout);
  if (!key.startsWith(root)) return undefined;
  // Called once per index key (660,000 for 10,000 backups x 12 nodes): slices, no split or match arrays.
  const slash = key.indexOf('/', root.length);
  if (slash < 0 || key.indexOf('/', slash + 1) >= 0) return undefined;
  const backupName = key.slice(root.length, slash);
  const file = key.slice(slash + 1);
  if (backupName === '' || file === '') return undefined;

  if (file.startsWith('started_') || file.startsWith('finished_')) {
    const stamped = TIMESTAMP_FILE.exec(file);
    if (stamped) {
      const epoch = Number(stamped[3]);
      if (!Number.isSafeInteger(epoch)) return undefined;
      return { kind: stamped[1] as 'started' | 'finished', backupName, fqdn: stamped[2]!, epoch };
    }
  }
  // `<kind>_<fqdn><ext>`: no kind contains `_`, so the first one ends it.
  const cut = file.indexOf('_');
  const kind = file.slice(0, cut);
  if (cut < 0 || !NAMED_KINDS.has(kind)) return undefined;
  const ext = INDEX_FILE_EXTENSION[kind as NamedKind];
  let fqdn = file.slice(cut + 1);
  if (ext !== '') {
    if (!fqdn.endsWith(ext)) return undefined;
    fqdn = fqdn.slice(0, -ext.length);
  }
  if (fqdn === '') return undefined;
  return { kind: kind as NamedKind, backupName, fqdn };
}

/** `{P}index/latest_backup/F/<file>`: the node's latest finished backup. */
export function latestBackupKey(layout: BucketLayout, fqdn: string, file: 'tokenmap.json' | 'backup_name.txt'): string {
  assertSegment('fqdn', fqdn);
  return `${indexFolder(layout)}latest_backup/${fqdn}/${file}`;
}

/** Where a node-level key sits: the fqdn, and the remainder after `{P}F/`. */
export interface NodeKey {
  readonly fqdn: string;
  readonly rest: string;
}

/**
 * Splits a key below the prefix into its node folder and the rest, or `undefined` for keys that
 * are not node data (the index, or keys outside the prefix).
 */
export function parseNodeKey(layout: BucketLayout, key: string): NodeKey | undefined {
  const p = prefixPath(layout);
  if (!key.startsWith(p)) return undefined;
  const rel = key.slice(p.length);
  const slash = rel.indexOf('/');
  if (slash <= 0) return undefined;
  const fqdn = rel.slice(0, slash);
  if (fqdn === 'index') return undefined;
  return { fqdn, rest: rel.slice(slash + 1) };
}

/** A key of the form `{P}F/N/meta/<file>`, as found when scanning a node folder. */
export interface MetaKeyParts {
  readonly fqdn: string;
  readonly backupName: string;
  readonly file: string;
}

/** Parses `{P}F/N/meta/<file>`; `undefined` for any other key (pool data, full-backup data...). */
export function parseMetaKey(layout: BucketLayout, key: string): MetaKeyParts | undefined {
  const node = parseNodeKey(layout, key);
  if (!node) return undefined;
  const parts = node.rest.split('/');
  if (parts.length !== 3 || parts[1] !== 'meta') return undefined;
  const [backupName, , file] = parts as [string, string, string];
  if (backupName === '' || backupName === 'data' || file === '') return undefined;
  return { fqdn: node.fqdn, backupName, file };
}
