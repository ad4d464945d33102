/**
 * A large local bucket for the listing benchmarks (bench/list-backups.ts, bench/scale.ts):
 * `backups` differential backups of `nodes` nodes, each node backup with its meta files and index
 * entries laid out as Medusa lays them out, one small manifest each. Generated once into `dir`
 * (a `complete` marker says it is there) with a `medusa.ini` for it.
 */
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The bucket's name inside `dir` (local storage: `base_path = dir`). */
export const LIST_BUCKET = 'bench';

/** Generates the bucket unless it is there already; returns the path of its medusa.ini. */
export function ensureListBucket(dir: string, backups: number, nodes: number): string {
  const ini = join(dir, 'medusa.ini');
  if (existsSync(join(dir, 'complete'))) return ini;
  const put = (key: string, text: string, epoch: number): void => {
    const file = join(dir, LIST_BUCKET, key);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    utimesSync(file, epoch, epoch);
  };
  const hosts = Array.from({ length: nodes }, (_, i) => `node${String(i + 1).padStart(2, '0')}.example.com`);
  const tokenmap =
    '{' + hosts.map((h, i) => `"${h}": {"tokens": [${BigInt(i) * 768614336404564650n - 9223372036854775808n}], "is_up": true, "rack": "r1", "dc": "dc1"}`).join(', ') + '}';
  const start = 1_700_000_000;
  for (let b = 0; b < backups; b++) {
    const name = `backup-${String(b).padStart(5, '0')}`;
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
  writeFileSync(ini, `[storage]\nstorage_provider = local\nbase_path = ${dir}\nbucket_name = ${LIST_BUCKET}\nfqdn = ${hosts[0]}\n`);
  writeFileSync(join(dir, 'complete'), '');
  return ini;
}
