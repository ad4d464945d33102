/** `server_version.json`: which server (and release) a node backup was taken from. */
import { DocumentError } from './document-error.js';
import { dumpsPython } from './python-json.js';

export interface ServerVersion {
  readonly server_type: string;
  readonly release_version: string;
}

/** What Medusa assumes for backups taken before the document existed. */
export const UNKNOWN_SERVER_VERSION: ServerVersion = { server_type: 'cassandra', release_version: 'unknown' };

/** Parses the document; `key` names the object in errors. */
export function parseServerVersion(text: string, key: string): ServerVersion {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new DocumentError(key, 'not valid JSON');
  }
  const o = doc as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null || typeof o['server_type'] !== 'string' || typeof o['release_version'] !== 'string') {
    throw new DocumentError(key, 'expected {"server_type": ..., "release_version": ...}');
  }
  return { server_type: o['server_type'], release_version: o['release_version'] };
}

/** Writes the document as Medusa does. */
export function encodeServerVersion(v: ServerVersion): string {
  return dumpsPython({ server_type: v.server_type, release_version: v.release_version });
}
