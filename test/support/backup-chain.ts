/**
 * Helpers of the backup-chain tests (issue 13: backups stay restorable after an in-place restore),
 * shared by the cassandra and interop groups: what a snapshot held when a backup was taken, what a
 * download of that backup gives back, and what a local bucket holds, each as `path → MD5`.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { NodeDescriptor } from '../harness/node-descriptor.js';

/** `relative path → MD5` of every regular file under `dir` (empty when `dir` is missing). */
export function md5Tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.set(relative(dir, p).split(sep).join('/'), createHash('md5').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

/**
 * Copies the files of snapshot `tag` of `keyspace` (every data directory: JBOD) into
 * `dest/<table dir>/...`, as a download of the backup lays them out, minus Cassandra's own
 * `manifest.json` and `schema.cql`. Returns the copy's `md5Tree`.
 */
export function keepSnapshotCopy(node: NodeDescriptor, keyspace: string, tag: string, dest: string): Map<string, string> {
  mkdirSync(dest, { recursive: true });
  for (const dataDir of node.dataDirs) {
    const ks = join(dataDir, keyspace);
    if (!existsSync(ks)) continue;
    for (const table of readdirSync(ks)) {
      const snap = join(ks, table, 'snapshots', tag);
      if (!existsSync(snap)) continue;
      for (const e of readdirSync(snap)) {
        if (e === 'manifest.json' || e === 'schema.cql') continue;
        cpSync(join(snap, e), join(dest, table, e), { recursive: true });
      }
    }
  }
  return md5Tree(dest);
}

/** The files a download put under `<destination>/<keyspace>/`, as `md5Tree` keys `<table dir>/...`. */
export function downloadedTree(destination: string, keyspace: string): Map<string, string> {
  return md5Tree(join(destination, keyspace));
}

/**
 * Keys whose bytes changed or vanished between two `md5Tree`s of a bucket (added keys are fine),
 * except `index/latest_backup/`: the pointer to a node's latest backup is rewritten by every
 * backup, by design (reference §3.1), in both tools.
 */
export function changedObjects(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  return [...before].filter(([k, h]) => !k.includes('index/latest_backup/') && after.get(k) !== h).map(([k]) => k);
}

/** Keys of a local bucket's pool (`<fqdn>/data/`) whose table segment carries a content tag. */
export function taggedKeys(bucket: ReadonlyMap<string, string>, fqdn: string): string[] {
  return [...bucket.keys()].filter((k) => k.startsWith(`${fqdn}/data/`) && k.split('/')[3]?.includes('~'));
}

/** Size of a file, for messages. */
export function sizeOf(path: string): number {
  return statSync(path).size;
}
