/**
 * `manifest.json` (reference §3.2): one section per table directory with the objects stored for
 * it. Written last by a backup; its presence marks a node backup complete.
 */
import { DocumentError } from './document-error.js';
import { encodeNumber, pythonJsonString } from './python-json.js';

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
  return encodeManifestBytes(manifest).toString('latin1');
}

/**
 * {@link encodeManifest}'s text as bytes (ASCII: Python escapes everything else), written straight
 * into one buffer: a 100,000-object manifest built as a string held a tree of 600,000 pieces and
 * then its flat copy and its UTF-8 bytes (about 100 MB at once); the backup stores these bytes
 * twice (the manifest and its index copy) without another copy.
 */
export function encodeManifestBytes(manifest: Manifest): Buffer {
  let estimate = 2;
  for (const s of manifest) {
    estimate += 64 + s.keyspace.length + s.columnfamily.length;
    for (const o of s.objects) estimate += 84 + o.path.length; // the most an object takes besides its path (MD5 and size at their longest)
  }
  const out = new AsciiWriter(estimate);
  out.add('[');
  manifest.forEach((s, i) => {
    out.add(i === 0 ? '{"keyspace": ' : ', {"keyspace": ');
    out.add(pythonJsonString(s.keyspace));
    out.add(', "columnfamily": ');
    out.add(pythonJsonString(s.columnfamily));
    out.add(', "objects": [');
    s.objects.forEach((o, j) => {
      out.add(j === 0 ? '{"path": ' : ', {"path": ');
      out.add(pythonJsonString(o.path));
      out.add(', "MD5": ');
      out.add(o.MD5 === null ? 'null' : pythonJsonString(o.MD5));
      out.add(', "size": ');
      out.add(encodeNumber(o.size));
      out.add('}');
    });
    out.add(']}');
  });
  out.add(']');
  return out.bytes();
}

/** Appends ASCII text to a buffer that grows when needed. */
class AsciiWriter {
  private buffer: Buffer;
  private length = 0;

  constructor(estimate: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(16, estimate));
  }

  add(text: string): void {
    if (this.length + text.length > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + text.length));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.length += this.buffer.write(text, this.length, 'latin1');
  }

  /** What was written (a view of the buffer, not a copy). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
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
