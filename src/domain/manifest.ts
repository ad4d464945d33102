/**
 * `manifest.json` (reference §3.2): one section per table directory with the objects stored for
 * it. Written last by a backup; its presence marks a node backup complete.
 */
import { DocumentError } from './document-error.js';
import { dumpsPython } from './python-json.js';

/** One stored SSTable component. */
export interface ManifestObject {
  /** Full object key, prefix included. */
  readonly path: string;
  /** The hash the store reported at upload (reference §3.2), or null where none was recorded. */
  readonly MD5: string | null;
  readonly size: number;
}

/** One table directory of the snapshot (tables with no files still get a section). */
export interface ManifestSection {
  readonly keyspace: string;
  /** Table directory name, table id included (e.g. `users-5b2a...`). */
  readonly columnfamily: string;
  readonly objects: readonly ManifestObject[];
}

export type Manifest = readonly ManifestSection[];

function fail(key: string, problem: string): never {
  throw new DocumentError(key, problem);
}

function parseObject(key: string, where: string, raw: unknown): ManifestObject {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(key, `${where}: expected an object`);
  const o = raw as Record<string, unknown>;
  const path = o['path'];
  const md5 = o['MD5'];
  const size = o['size'];
  if (typeof path !== 'string' || path === '') fail(key, `${where}: "path" must be a non-empty string`);
  if (md5 !== null && md5 !== undefined && typeof md5 !== 'string') fail(key, `${where}: "MD5" must be a string or null`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) fail(key, `${where}: "size" must be a non-negative integer`);
  return { path, MD5: typeof md5 === 'string' ? md5 : null, size };
}

/** Parses a manifest; `key` names the object in errors (truncated, non-JSON, wrong shape). */
export function parseManifest(text: string, key: string): Manifest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    fail(key, `not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!Array.isArray(doc)) fail(key, 'expected a JSON array of table sections');
  return doc.map((raw: unknown, i): ManifestSection => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(key, `section ${i}: expected an object`);
    const s = raw as Record<string, unknown>;
    const keyspace = s['keyspace'];
    const columnfamily = s['columnfamily'];
    const objects = s['objects'];
    if (typeof keyspace !== 'string' || keyspace === '') fail(key, `section ${i}: "keyspace" must be a non-empty string`);
    if (typeof columnfamily !== 'string' || columnfamily === '') fail(key, `section ${i}: "columnfamily" must be a non-empty string`);
    if (!Array.isArray(objects)) fail(key, `section ${i} (${keyspace}.${columnfamily}): "objects" must be an array`);
    return {
      keyspace,
      columnfamily,
      objects: objects.map((o: unknown, j) => parseObject(key, `section ${i} (${keyspace}.${columnfamily}) object ${j}`, o)),
    };
  });
}

/** Writes a manifest exactly as Medusa does: one line, Python json.dumps, keys `path, MD5, size`. */
export function encodeManifest(manifest: Manifest): string {
  return dumpsPython(
    manifest.map((s) => ({
      keyspace: s.keyspace,
      columnfamily: s.columnfamily,
      objects: s.objects.map((o) => ({ path: o.path, MD5: o.MD5, size: o.size })),
    })),
  );
}

/** Totals of a manifest: the figures `status` and `list-backups` show per node backup. */
export function manifestTotals(manifest: Manifest): { size: number; numObjects: number } {
  let size = 0;
  let numObjects = 0;
  for (const section of manifest) {
    numObjects += section.objects.length;
    for (const o of section.objects) size += o.size;
  }
  return { size, numObjects };
}
