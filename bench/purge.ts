/**
 * Benchmark: `purge` of 500 backups / 200,000 objects on radosgw (our purge operation: one listing
 * per node, multi-object deletes of 1,000 keys, 6 requests in flight) against deleting the same
 * objects one request at a time as Medusa 0.31 does (per backup: list `F/N` and DELETE each object,
 * then list the backup's index folder and DELETE each entry of the node), in the same run.
 * Target: >= 10x faster.
 *
 * Usage: node --import tsx bench/purge.ts [--backups 500] [--objects-per-backup 400] [--concurrency 64] [--verbose]
 *   The node holds `--backups` full backups to purge plus one newer backup that stays
 *   (max_backup_count = 1); every purged backup has 4 meta objects and the rest data objects,
 *   plus 5 index entries. Both contenders get an identical copy of the bucket (under two prefixes),
 *   both uploaded before either runs, so they run back to back; upload time is not counted.
 *   `--verbose` prints the purge's own log with the seconds since it started (where time goes).
 *
 * Measured 2026-11-21 (2 cores shared with other suites, Ceph 16.2.15 radosgw on memstore):
 * - 500 backups / 200,000 objects (the full scale; this run still uploaded the second copy between
 *   the contenders): medusa-ts 273.1 s (732 objects/s) at load average 20-35: index and selection
 *   2.2 s, node listing (200,008 keys) 16.3 s, deletes 252 s (~790 keys/s). One at a time 890.6 s
 *   (225 objects/s), but at load 2-8, the other suites having stopped meanwhile: 3.3x, a ratio
 *   the load change skews; hence the back-to-back order since.
 * - 100 backups / 40,000 objects, back to back, load 3-7: medusa-ts 23.1 s (1,730 objects/s:
 *   listing 2.5 s, deletes ~2,040 keys/s), one at a time 146.6 s (273 objects/s): 6.3x.
 * - Earlier, 50 backups / 20,000 objects: 5.5x at load ~25; 7.8x in a quieter moment (load 0.9 at its start).
 * Where the time goes: the deletes. radosgw and its OSD share the 2 cores with everything else
 * and spend about 1 ms of CPU per deleted key (OSD ~0.65 ms, radosgw ~0.35 ms, measured from
 * /proc), so batched deletes top out at ~0.8k keys/s (load 50) to ~2k keys/s (load 3-7), and 4, 8 or
 * 16 DeleteObjects requests in flight measured the same (716-833 keys/s at load 50-60). A single
 * DELETE instead costs the baseline mostly round-trip latency (3.7-7.3 ms), which batching removes
 * but which stays small next to the server's own work per key: on this machine the ratio is bounded
 * near 7-8x whatever the client does, and the 10x target is NOT met here. On a real cluster, where
 * radosgw and the OSDs have their own cores, the batches in flight are what scales.
 * The client's own share was fixed: planning matched every listed object against every purged
 * backup (41.9 s of CPU at 500 / 200,000; now 0.4 s, one pass).
 * The radosgw settings were checked (rgw_thread_pool_size 512, rgw_max_concurrent_requests 1024,
 * objecter_inflight_ops 24576, rgw_multi_obj_del_max_aio 16, 11 bucket index shards, ops and usage
 * logs off, debug levels at their defaults): all Ceph defaults, nothing unrealistic, nothing changed.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pLimit from 'p-limit';
import { setLatestBackup, writeIndexFinish, writeIndexStart } from '../src/catalog/index-writer.js';
import { encodeManifest, type ManifestObject } from '../src/domain/manifest.js';
import { encodeTokenMap } from '../src/domain/tokenmap.js';
import { backupIndexEntriesFolder, dataKey, metaKey, nodeBackupFolder, parseIndexKey, type BucketLayout } from '../src/layout/keys.js';
import { purge } from '../src/ops/purge.js';
import { putText, listAll } from '../src/storage/helpers.js';
import { openStorage } from '../src/storage/open.js';
import type { StorageBackend } from '../src/storage/types.js';
import { systemClock } from '../src/util/clock.js';
import { createLogger } from '../src/util/logger.js';
import { secondsSince, withRadosgw } from './lib/radosgw-bench.js';

const { values } = parseArgs({
  options: {
    backups: { type: 'string', default: '500' },
    'objects-per-backup': { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '64' },
    verbose: { type: 'boolean', default: false },
  },
});
const BACKUPS = Number(values.backups);
const PER_BACKUP = Number(values['objects-per-backup']);
const CONCURRENCY = Number(values.concurrency);
const FQDN = 'bench-node';
const TOKENMAP = encodeTokenMap(new Map([[FQDN, { tokens: [0n], is_up: true, rack: 'r1', dc: 'dc1' }]]));
const SCHEMA = 'CREATE KEYSPACE ks;';
const TABLE = 'users-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1';
const META_FILES = 4;

/** The 1-minute load average of the machine. */
function loadAverage(): string {
  return loadavg()[0]!.toFixed(1);
}

/** Writes `BACKUPS + 1` full backups of FQDN under `layout`; returns the object count (index excluded). */
async function writeBucket(storage: StorageBackend, layout: BucketLayout): Promise<number> {
  const limit = pLimit(CONCURRENCY);
  const ctx = { storage, layout };
  const nowSeconds = Math.floor(Date.now() / 1000);
  let objects = 0;
  const t0 = performance.now();
  for (let b = 0; b <= BACKUPS; b++) {
    const name = `backup-${String(b).padStart(4, '0')}`;
    const started = nowSeconds - (BACKUPS + 1 - b) * 3600;
    const dataObjects = b === BACKUPS ? 4 : PER_BACKUP - META_FILES;
    const written: ManifestObject[] = await Promise.all(
      Array.from({ length: dataObjects }, (_, i) =>
        limit(async () => {
          const path = dataKey(layout, FQDN, name, false, 'ks', TABLE, `nb-${i}-big-Data.db`);
          const info = await putText(storage, path, `${name}:${i}`);
          return { path, MD5: info.hash ?? null, size: info.size };
        }),
      ),
    );
    const manifest = encodeManifest([{ keyspace: 'ks', columnfamily: TABLE, objects: written }]);
    await Promise.all([
      putText(storage, metaKey(layout, FQDN, name, 'schema.cql'), SCHEMA),
      putText(storage, metaKey(layout, FQDN, name, 'tokenmap.json'), TOKENMAP),
      putText(storage, metaKey(layout, FQDN, name, 'server_version.json'), '{"server_type": "cassandra", "release_version": "4.1.3"}'),
      writeIndexStart(ctx, { name, fqdn: FQDN, started, differential: false, tokenmapText: TOKENMAP, schemaText: SCHEMA }),
    ]);
    await putText(storage, metaKey(layout, FQDN, name, 'manifest.json'), manifest);
    await writeIndexFinish(ctx, { name, fqdn: FQDN, finished: started + 600, manifestText: manifest });
    objects += dataObjects + META_FILES;
    if (b % 50 === 0) process.stdout.write(`\r# uploading ${layout.prefix}: ${b}/${BACKUPS + 1} backups, ${objects} objects, ${secondsSince(t0).toFixed(0)} s`);
  }
  await setLatestBackup(ctx, { name: `backup-${String(BACKUPS).padStart(4, '0')}`, fqdn: FQDN, tokenmapText: TOKENMAP });
  process.stdout.write('\n');
  return objects;
}

/** Medusa 0.31's way: per backup, list `{P}F/N` and DELETE each object, then its index entries, one request each. */
async function deleteOneByOne(storage: StorageBackend, layout: BucketLayout, names: readonly string[]): Promise<number> {
  let deleted = 0;
  for (const name of names) {
    // Medusa lists without the trailing slash; the names here share no prefix with another, so the set is the same.
    for (const o of await listAll(storage, nodeBackupFolder(layout, FQDN, name).slice(0, -1))) {
      await storage.delete(o.key);
      deleted++;
    }
    for (const o of await listAll(storage, backupIndexEntriesFolder(layout, name).slice(0, -1))) {
      if (parseIndexKey(layout, o.key)?.fqdn !== FQDN) continue;
      await storage.delete(o.key);
    }
  }
  return deleted;
}

await withRadosgw(4 * 1024 ** 3, async (store) => {
  const section = store.section({ concurrent_transfers: CONCURRENCY });
  const storage = await openStorage({ storage: section });
  // --verbose: the purge's own log on stderr, each line with the seconds since the purge started.
  let logStart = performance.now();
  const log = createLogger({
    verbosity: values.verbose ? 1 : 0,
    withoutTimestamp: true,
    write: values.verbose ? (line) => process.stderr.write(`[${secondsSince(logStart).toFixed(2)} s] ${line}\n`) : () => undefined,
  });
  try {
    console.log(`# ${BACKUPS} backups to purge x ${PER_BACKUP} objects (+5 index entries each), one newer backup kept`);

    // Both copies first, so the two contenders run back to back: the machine's load (other suites
    // share its 2 cores) changes less between them than across a 15-minute upload.
    const ours: BucketLayout = { prefix: 'ours' };
    const medusa: BucketLayout = { prefix: 'medusa' };
    await writeBucket(storage, ours);
    await writeBucket(storage, medusa);
    const stored = (await listAll(storage, 'ours/')).length;
    console.log(`# load average before medusa-ts purge: ${loadAverage()}`);
    let t0 = performance.now();
    logStart = t0;
    const report = await purge(
      { storage, layout: ours, log, clock: systemClock },
      { fqdn: FQDN, policy: { maxBackupAgeDays: 0, maxBackupCount: 1 }, graceDays: 10, dryRun: false },
    );
    const oursSeconds = secondsSince(t0);
    const left = (await listAll(storage, 'ours/')).length;
    console.log(`medusa-ts purge:  ${report.totals.nbBackupsPurged} backups, ${report.totals.nbObjectsPurged} objects in ${oursSeconds.toFixed(1)} s ` +
      `(${(report.totals.nbObjectsPurged / oursSeconds).toFixed(0)} objects/s); ${left} of ${stored} stored objects left`);

    console.log(`# load average before one at a time: ${loadAverage()}`);
    const names = Array.from({ length: BACKUPS }, (_, b) => `backup-${String(b).padStart(4, '0')}`);
    t0 = performance.now();
    const deleted = await deleteOneByOne(storage, medusa, names);
    const medusaSeconds = secondsSince(t0);
    console.log(`one at a time:    ${BACKUPS} backups, ${deleted} objects in ${medusaSeconds.toFixed(1)} s (${(deleted / medusaSeconds).toFixed(0)} objects/s)`);
    console.log(`# load average after: ${loadAverage()}`);
    console.log(`speed-up: ${(medusaSeconds / oursSeconds).toFixed(1)}x (target >= 10x)`);
  } finally {
    await storage.close();
  }
});
