/**
 * Writes a Medusa bucket for the `local` storage provider (files under `<base_path>/<bucket_name>/<key>`)
 * straight from the layout spec (medusa-reference.md §3.1-3.3), from a typed scenario.
 *
 * Every object key is built HERE from raw strings, on purpose: this file imports nothing from `src/`,
 * so a bug in our key-layout or manifest writer cannot hide the same bug in our reader. Python Medusa
 * reads these buckets as the reference (see scripts/capture-python-goldens.ts).
 *
 * What callers may rely on:
 * - documents are byte-for-byte what Python's `json.dumps` (default separators `", "`/`": "`,
 *   `ensure_ascii`) would write; tokens are written losslessly from `bigint`;
 * - data objects hold real bytes, so `size` and `MD5` in the manifest are true unless a fault says otherwise;
 * - file mtimes: everything written "at start" (schema, tokenmap, server version, markers, started index
 *   entries, data objects) gets the start epoch; everything written "at end" (manifest, finished index
 *   entries, latest_backup markers) gets the finish epoch (Medusa falls back to LastModified for times).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** One host of a tokenmap (reference §3.3). `rack`/`dc` are absent in pre-2021 backups. */
export interface FixtureTokenmapHost {
  /** Written in this order (real Medusa writes them sorted as strings). */
  readonly tokens: readonly bigint[];
  readonly isUp: boolean;
  readonly rack?: string;
  readonly dc?: string;
}

/** Host name → host entry, written in insertion order. */
export type FixtureTokenmap = Readonly<Record<string, FixtureTokenmapHost>>;

/** One data object of a manifest section. */
export interface FixtureObject {
  /** Path below the table directory, e.g. `nb-1-big-Data.db` or `.users_idx/nb-1-big-Data.db`. */
  readonly file: string;
  /** The object's bytes (the manifest size and MD5 are computed from them). */
  readonly content: string;
  /**
   * What to write as `MD5`: the real hex digest (default), or `null` as Medusa's local provider writes
   * for objects a differential backup reused from the pool (reference §12).
   */
  readonly md5?: 'real' | null;
}

/** One manifest section: a table directory of the snapshot. */
export interface FixtureSection {
  readonly keyspace: string;
  /** Table directory name including the table id, e.g. `users-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1`. */
  readonly columnfamily: string;
  readonly objects: readonly FixtureObject[];
}

/** Index entries a fault may leave out (names as in `index/backup_index/N/<kind>_F...`). */
export type FixtureIndexEntry = 'tokenmap' | 'schema' | 'started' | 'differential' | 'manifest' | 'finished';

/** Ways to damage a node backup after writing it the way Medusa would. */
export interface FixtureFaults {
  /** Do not write `meta/manifest.json` (the index copy and finished marker stay). */
  readonly omitMetaManifest?: boolean;
  /** Do not write `meta/server_version.json` (backups older than that file). */
  readonly omitServerVersion?: boolean;
  /** Data objects (`<keyspace>/<columnfamily>/<file>`) listed in the manifest but not stored. */
  readonly deleteObjects?: readonly string[];
  /** Data objects (`<keyspace>/<columnfamily>/<file>`) stored with the same size but different bytes. */
  readonly corruptObjects?: readonly string[];
  /** Data objects (`<keyspace>/<columnfamily>/<file>`) stored with one byte more than the manifest says. */
  readonly resizeObjects?: readonly string[];
  /** Index entries not written. */
  readonly omitIndex?: readonly FixtureIndexEntry[];
  /** Extra data objects (`<keyspace>/<columnfamily>/<file>` → content) stored but not in the manifest. */
  readonly extraObjects?: Readonly<Record<string, string>>;
}

/** One node backup (one fqdn, one backup name). */
export interface FixtureNodeBackup {
  readonly name: string;
  readonly fqdn: string;
  /** Full backups keep data under `F/N/data/...`; differential ones in the node pool `F/data/...`. */
  readonly mode: 'full' | 'differential';
  /** Marker name for a differential backup: `differential` (default) or the legacy `incremental`. */
  readonly marker?: 'differential' | 'incremental';
  /** Epoch seconds: schema.cql mtime and the `started_F_<epoch>.timestamp` entry. */
  readonly started: number;
  /** Epoch seconds of manifest.json; undefined = the backup never finished (no manifest, no finished entry). */
  readonly finished?: number;
  readonly tokenmap: FixtureTokenmap;
  /** Default `{"server_type": "cassandra", "release_version": "4.0.11"}`. */
  readonly serverVersion?: { readonly serverType: string; readonly releaseVersion: string };
  /** Default: a two-keyspace schema naming the sections' tables. */
  readonly schema?: string;
  readonly sections: readonly FixtureSection[];
  readonly faults?: FixtureFaults;
}

/** A whole bucket. */
export interface FixtureBucket {
  /** `[storage] prefix`; keys then start with `<prefix>/`. */
  readonly prefix?: string;
  readonly nodeBackups: readonly FixtureNodeBackup[];
}

/** The JSON value shapes this writer emits (bigint = a JSON integer of any size). */
type PyJson = string | number | bigint | boolean | null | readonly PyJson[] | { readonly [k: string]: PyJson };

/** Python `json.dumps(s)` of a string: JSON escapes plus `\uXXXX` for every non-ASCII UTF-16 unit. */
function pyString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Python `json.dumps(value)` with default separators; keys in insertion order. */
export function pyJsonDumps(value: PyJson): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`fixture JSON: ${value} is not a safe integer; use bigint`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return pyString(value);
  if (Array.isArray(value)) return `[${(value as readonly PyJson[]).map(pyJsonDumps).join(', ')}]`;
  const entries = Object.entries(value as { readonly [k: string]: PyJson });
  return `{${entries.map(([k, v]) => `${pyString(k)}: ${pyJsonDumps(v)}`).join(', ')}}`;
}

/** The tokenmap document of reference §3.3. */
export function tokenmapJson(tokenmap: FixtureTokenmap): string {
  const doc: Record<string, PyJson> = {};
  for (const [host, h] of Object.entries(tokenmap)) {
    const entry: Record<string, PyJson> = { tokens: [...h.tokens], is_up: h.isUp };
    if (h.rack !== undefined) entry.rack = h.rack;
    if (h.dc !== undefined) entry.dc = h.dc;
    doc[host] = entry;
  }
  return pyJsonDumps(doc);
}

function md5Hex(content: string): string {
  return createHash('md5').update(content, 'utf8').digest('hex');
}

/** Same length in bytes, different bytes: every byte becomes 'X', or 'Y' where it already was 'X'. */
function corrupt(content: string): Buffer {
  const bytes = Buffer.from(content, 'utf8');
  for (let i = 0; i < bytes.length; i++) bytes[i] = bytes[i] === 0x58 ? 0x59 : 0x58;
  return bytes;
}

function defaultSchema(sections: readonly FixtureSection[]): string {
  const keyspaces = [...new Set(sections.map((s) => s.keyspace))];
  return keyspaces
    .map((ks) => {
      const tables = sections
        .filter((s) => s.keyspace === ks)
        .map((s) => `CREATE TABLE ${ks}.${s.columnfamily.split('-')[0] ?? s.columnfamily} (id int PRIMARY KEY, v text);`);
      return [`CREATE KEYSPACE ${ks} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'};`, ...tables].join('\n\n');
    })
    .join('\n\n');
}

/** Writes files and remembers their mtimes, applied once all writes are done (mkdir touches parents). */
class BucketWriter {
  private readonly mtimes = new Map<string, number>();

  constructor(private readonly bucketDir: string) {}

  put(key: string, content: string | Buffer, mtime: number): void {
    const path = join(this.bucketDir, key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    // A pool object rewritten by a later backup keeps its first upload time, as in Medusa (it reuses it).
    this.mtimes.set(path, Math.min(mtime, this.mtimes.get(path) ?? mtime));
  }

  finish(): void {
    for (const [path, mtime] of this.mtimes) utimesSync(path, mtime, mtime);
  }
}

/** Keys of one node backup, spelled out as in reference §3.1. */
function keysFor(prefix: string, nb: FixtureNodeBackup): { meta: string; index: string; data: string; latest: string } {
  const p = prefix === '' ? '' : `${prefix}/`;
  return {
    meta: `${p}${nb.fqdn}/${nb.name}/meta/`,
    index: `${p}index/backup_index/${nb.name}/`,
    data: nb.mode === 'full' ? `${p}${nb.fqdn}/${nb.name}/data/` : `${p}${nb.fqdn}/data/`,
    latest: `${p}index/latest_backup/${nb.fqdn}/`,
  };
}

function writeNodeBackup(w: BucketWriter, prefix: string, nb: FixtureNodeBackup): void {
  const k = keysFor(prefix, nb);
  const faults = nb.faults ?? {};
  const omitted = new Set(faults.omitIndex ?? []);
  const start = nb.started;
  const end = nb.finished;
  const marker = nb.marker ?? 'differential';
  const schema = nb.schema ?? defaultSchema(nb.sections);
  const tokenmap = tokenmapJson(nb.tokenmap);
  const version = nb.serverVersion ?? { serverType: 'cassandra', releaseVersion: '4.0.11' };

  // Written at start, in Medusa's order (§3.1): schema, tokenmap, server version, marker, index entries.
  w.put(`${k.meta}schema.cql`, schema, start);
  w.put(`${k.meta}tokenmap.json`, tokenmap, start);
  if (faults.omitServerVersion !== true) {
    w.put(`${k.meta}server_version.json`, pyJsonDumps({ server_type: version.serverType, release_version: version.releaseVersion }), start);
  }
  if (nb.mode === 'differential') w.put(`${k.meta}${marker}`, marker, start);
  if (!omitted.has('tokenmap')) w.put(`${k.index}tokenmap_${nb.fqdn}.json`, tokenmap, start);
  if (!omitted.has('schema')) w.put(`${k.index}schema_${nb.fqdn}.cql`, schema, start);
  if (!omitted.has('started')) w.put(`${k.index}started_${nb.fqdn}_${start}.timestamp`, String(start), start);
  if (nb.mode === 'differential' && !omitted.has('differential')) w.put(`${k.index}${marker}_${nb.fqdn}`, marker, start);

  // Data objects; the manifest path is the full key (prefix included).
  const deleted = new Set(faults.deleteObjects ?? []);
  const corrupted = new Set(faults.corruptObjects ?? []);
  const resized = new Set(faults.resizeObjects ?? []);
  const manifest = nb.sections.map((s) => ({
    keyspace: s.keyspace,
    columnfamily: s.columnfamily,
    objects: s.objects.map((o) => {
      const rel = `${s.keyspace}/${s.columnfamily}/${o.file}`;
      const key = `${k.data}${rel}`;
      const stored = corrupted.has(rel) ? corrupt(o.content) : resized.has(rel) ? `${o.content}!` : o.content;
      if (!deleted.has(rel)) w.put(key, stored, start);
      const md5 = o.md5 === null ? null : md5Hex(o.content);
      return { path: key, MD5: md5, size: Buffer.byteLength(o.content, 'utf8') };
    }),
  }));
  for (const [rel, content] of Object.entries(faults.extraObjects ?? {})) w.put(`${k.data}${rel}`, content, start);

  if (end === undefined) return;
  // Written at end: manifest last in meta, then its index copy and the finished entry.
  const manifestJson = pyJsonDumps(manifest);
  if (faults.omitMetaManifest !== true) w.put(`${k.meta}manifest.json`, manifestJson, end);
  if (!omitted.has('manifest')) w.put(`${k.index}manifest_${nb.fqdn}.json`, manifestJson, end);
  if (!omitted.has('finished')) w.put(`${k.index}finished_${nb.fqdn}_${end}.timestamp`, String(end), end);
}

/**
 * Writes `bucket` into `<baseDir>/<bucketName>/` (creating it) the way Python Medusa's local provider
 * stores it. Node backups are written in the given order, and `index/latest_backup/<fqdn>/` points at
 * each fqdn's finished backup with the greatest finish time. Returns the bucket directory.
 */
export function writeFixtureBucket(baseDir: string, bucketName: string, bucket: FixtureBucket): string {
  const bucketDir = join(baseDir, bucketName);
  mkdirSync(bucketDir, { recursive: true });
  const w = new BucketWriter(bucketDir);
  const prefix = bucket.prefix ?? '';
  const latest = new Map<string, FixtureNodeBackup>();
  for (const nb of bucket.nodeBackups) {
    writeNodeBackup(w, prefix, nb);
    if (nb.finished === undefined) continue;
    const prev = latest.get(nb.fqdn);
    if (prev?.finished === undefined || nb.finished >= prev.finished) latest.set(nb.fqdn, nb);
  }
  for (const nb of latest.values()) {
    const k = keysFor(prefix, nb);
    const end = nb.finished ?? nb.started;
    w.put(`${k.latest}tokenmap.json`, tokenmapJson(nb.tokenmap), end);
    w.put(`${k.latest}backup_name.txt`, nb.name, end);
  }
  w.finish();
  return bucketDir;
}
