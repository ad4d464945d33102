/**
 * Pure: compares a node backup's manifest with what the store holds (reference §6.2).
 * A `-Summary.db` mismatch is only a warning (Cassandra rebuilds index summaries); full backups also
 * report stored objects the manifest does not name.
 *
 * `-Statistics.db`: Medusa never checks it. Without hash checks we do the same (its outputs are
 * matched line for line). With hash checks, a stored Statistics.db whose size or hash differs from
 * the manifest IS reported: nothing we write ever changes a stored object, so a difference means
 * another writer overwrote it (Medusa's differential re-uploads a same-name file of another size
 * over the old key after an in-place restore, and Statistics.db sizes differ more often than any
 * other component's), and a restore would then pair that SSTable with the wrong metadata. A missing
 * Statistics.db is still not reported, as in Medusa.
 */
import type { Manifest } from '../domain/manifest.js';

/** What the store reports for one object, plus a content hash where one was computed. */
export interface StoredObject {
  readonly size: number;
  /** Store-reported or computed hash, comparable with the manifest's `MD5`. */
  readonly hash?: string;
}

export type VerifyProblem =
  | { readonly kind: 'missing'; readonly path: string }
  | { readonly kind: 'different'; readonly path: string; readonly reason: string }
  | { readonly kind: 'not-in-manifest'; readonly path: string };

export interface VerifyResult {
  readonly problems: readonly VerifyProblem[];
  /** Summary.db files that differ: reported as warnings only. */
  readonly summaryMismatches: readonly string[];
}

function isStatistics(path: string): boolean {
  return path.includes('-Statistics.db');
}

/** Hex form of an MD5 given as 32 hex digits or as base64 of 16 bytes; undefined otherwise. */
function md5AsHex(hash: string): string | undefined {
  if (/^[0-9a-fA-F]{32}$/.test(hash)) return hash.toLowerCase();
  if (/^[A-Za-z0-9+/]{22}==$/.test(hash)) return Buffer.from(hash, 'base64').toString('hex');
  return undefined;
}

/**
 * Whether a manifest hash and a stored hash denote the same content. Multipart ETags
 * (`<hex>-<n>`) compare as strings; plain MD5s compare whatever their encoding (hex or base64).
 */
export function hashesMatch(manifestHash: string, storedHash: string): boolean {
  if (manifestHash === storedHash) return true;
  if (manifestHash.includes('-') || storedHash.includes('-')) return false;
  const a = md5AsHex(manifestHash);
  const b = md5AsHex(storedHash);
  return a !== undefined && a === b;
}

export interface VerifyPlanOptions {
  /** Full backups own their data folder, so extra objects there are reported. */
  readonly differential: boolean;
  /** Compare hashes where both the manifest and the store have one. */
  readonly checkHashes: boolean;
}

/** Every problem of one node backup, in manifest order, then extra objects sorted by key. */
export function planVerify(manifest: Manifest, stored: ReadonlyMap<string, StoredObject>, options: VerifyPlanOptions): VerifyResult {
  const problems: VerifyProblem[] = [];
  const summaryMismatches: string[] = [];
  const inManifest = new Set<string>();
  for (const section of manifest) {
    for (const obj of section.objects) {
      const statistics = isStatistics(obj.path);
      if (statistics && !options.checkHashes) continue;
      inManifest.add(obj.path);
      const found = stored.get(obj.path);
      if (!found) {
        if (!statistics) problems.push({ kind: 'missing', path: obj.path });
        continue;
      }
      let reason: string | undefined;
      if (found.size !== obj.size) reason = `size ${found.size} in storage, ${obj.size} in manifest`;
      else if (options.checkHashes && obj.MD5 !== null && found.hash !== undefined && !hashesMatch(obj.MD5, found.hash)) {
        reason = `hash ${found.hash} in storage, ${obj.MD5} in manifest`;
      }
      if (reason === undefined) continue;
      if (obj.path.includes('-Summary.db')) summaryMismatches.push(obj.path);
      else problems.push({ kind: 'different', path: obj.path, reason });
    }
  }
  if (!options.differential) {
    const extra = [...stored.keys()].filter((k) => !isStatistics(k) && !inManifest.has(k)).sort();
    for (const path of extra) problems.push({ kind: 'not-in-manifest', path });
  }
  return { problems, summaryMismatches };
}

/** The line Medusa prints for a problem. */
export function describeVerifyProblem(problem: VerifyProblem): string {
  switch (problem.kind) {
    case 'missing':
      return `  - [${problem.path}] Doesn't exists`;
    case 'different':
      return `  - [${problem.path}] Blob different`;
    case 'not-in-manifest':
      return `  - [${problem.path}] exists in storage, but not in manifest`;
  }
}
