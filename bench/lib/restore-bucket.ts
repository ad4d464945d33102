/**
 * The one-node backup the restore benchmarks read: the ~2 GB synthetic snapshot set
 * (snapshot-set.ts) stored as backup `b1` of host `bench-node` in local storage, with a manifest
 * carrying every file's size and MD5, and a stand-in node's cassandra.yaml whose ports nothing
 * listens on. Generated once into a folder and reused.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { writeSnapshotSet } from './snapshot-set.js';

/** The backup's host and name. */
export const BENCH_FQDN = 'bench-node';
export const BENCH_BACKUP = 'b1';

/** Where the backup's data files are, relative to the bucket folder. */
export const benchDataPrefix = `${BENCH_FQDN}/${BENCH_BACKUP}/data/`;

/** Writes the backup into `bucketDir` unless its manifest is already there. */
export async function ensureRestoreBucket(bucketDir: string): Promise<void> {
  if (existsSync(join(bucketDir, BENCH_FQDN, BENCH_BACKUP, 'meta', 'manifest.json'))) return;
  console.log(`# generating the backup in ${bucketDir} ...`);
  const files = await writeSnapshotSet(join(bucketDir, benchDataPrefix));
  const sections = new Map<string, Array<{ path: string; MD5: string; size: number }>>();
  for (const f of files) {
    const [ks, tdir] = f.relative.split('/') as [string, string];
    const md5 = createHash('md5').update(readFileSync(f.path)).digest('hex');
    const list = sections.get(`${ks}/${tdir}`) ?? [];
    list.push({ path: `${benchDataPrefix}${f.relative}`, MD5: md5, size: f.size });
    sections.set(`${ks}/${tdir}`, list);
  }
  const manifest = [...sections].map(([id, objects]) => {
    const [keyspace, columnfamily] = id.split('/') as [string, string];
    return { keyspace, columnfamily, objects };
  });
  const meta = join(bucketDir, BENCH_FQDN, BENCH_BACKUP, 'meta');
  mkdirSync(meta, { recursive: true });
  writeFileSync(join(meta, 'schema.cql'), 'CREATE KEYSPACE ks0;');
  writeFileSync(join(meta, 'tokenmap.json'), `{"${BENCH_FQDN}": {"tokens": [-9223372036854775808], "is_up": true, "rack": "r1", "dc": "dc1"}}`);
  writeFileSync(join(meta, 'manifest.json'), JSON.stringify(manifest));
}

/** A local port nothing listens on (free a moment ago): the stand-in node's "Cassandra is down". */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Writes the stand-in node's cassandra.yaml (data in `nodeDir/data`, both ports `port`) to `yaml`. */
export function writeStandInYaml(yaml: string, nodeDir: string, port: number): void {
  writeFileSync(yaml, [`data_file_directories:`, `    - ${join(nodeDir, 'data')}`, `commitlog_directory: ${join(nodeDir, 'commitlog')}`,
    'listen_address: 127.0.0.1', `native_transport_port: ${port}`, `storage_port: ${port}`, ''].join('\n'));
}
