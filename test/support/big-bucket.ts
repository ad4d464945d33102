/**
 * A large local bucket of many small differential backups (one data object each), written the way
 * Medusa lays it out (meta objects, index entries, LastModified = start/finish times), for the
 * list/summary benchmarks and for tests that need a listing that takes a while. Deterministic:
 * backup `i` of host `j` starts at 1,700,000,000 + i·3600 + j and finishes 600 s later.
 *
 * Callers may rely on: backup names `backup-00000` ...; hosts `node01.example.com` ...; every
 * backup complete on every host; a `complete` marker file is written last, so an interrupted
 * generation is redone by `ensureBigBucket`.
 */
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What was (or had been) generated. */
export interface BigBucket {
  /** The folder holding `<bucket>/` (the `base_path`). */
  readonly dir: string;
  readonly bucket: string;
  readonly hosts: readonly string[];
  readonly backupNames: readonly string[];
}

/** The name of backup `i`. */
export function bigBucketBackupName(i: number): string {
  return `backup-${String(i).padStart(5, '0')}`;
}

/** Writes the bucket into `dir/<bucket>` unless `dir/complete` says it is there. */
export function ensureBigBucket(dir: string, backups: number, nodes: number, bucket = 'bench'): BigBucket {
  const hosts = Array.from({ length: nodes }, (_, i) => `node${String(i + 1).padStart(2, '0')}.example.com`);
  const backupNames = Array.from({ length: backups }, (_, b) => bigBucketBackupName(b));
  const result = { dir, bucket, hosts, backupNames };
  if (existsSync(join(dir, 'complete'))) return result;
  const put = (key: string, text: string, epoch: number): void => {
    const file = join(dir, bucket, key);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    utimesSync(file, epoch, epoch);
  };
  const tokenmap =
    '{' + hosts.map((h, i) => `"${h}": {"tokens": [${BigInt(i) * 768614336404564650n - 9223372036854775808n}], "is_up": true, "rack": "r1", "dc": "dc1"}`).join(', ') + '}';
  const start = 1_700_000_000;
  for (const [b, name] of backupNames.entries()) {
    for (const [i, host] of hosts.entries()) {
      const started = start + b * 3600 + i;
      const finished = started + 600;
      const section = `[{"keyspace": "ks", "columnfamily": "t-0123", "objects": [{"path": "${host}/data/ks/t-0123/nb-${b}-big-Data.db", "MD5": "d41d8cd98f00b204e9800998ecf8427e", "size": ${1000 + b}}]}]`;
      put(`${host}/${name}/meta/schema.cql`, 'CREATE KEYSPACE ks;', started);
      put(`${host}/${name}/meta/tokenmap.json`, tokenmap, started);
      put(`${host}/${name}/meta/server_version.json`, '{"server_type": "cassandra", "release_version": "5.0.4"}', started);
      put(`${host}/${name}/meta/differential`, 'differential', started);
      put(`${host}/${name}/meta/manifest.json`, section, finished);
      const idx = `index/backup_index/${name}`;
      put(`${idx}/tokenmap_${host}.json`, tokenmap, started);
      put(`${idx}/schema_${host}.cql`, 'CREATE KEYSPACE ks;', started);
      put(`${idx}/started_${host}_${started}.timestamp`, String(started), started);
      put(`${idx}/differential_${host}`, 'differential', started);
      put(`${idx}/manifest_${host}.json`, section, finished);
      put(`${idx}/finished_${host}_${finished}.timestamp`, String(finished), finished);
    }
  }
  writeFileSync(join(dir, 'complete'), '');
  return result;
}
