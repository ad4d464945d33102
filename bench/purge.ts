/**
 * Benchmark: `purge` of 500 backups / 200,000 objects on radosgw (our purge operation: one listing
 * per node, multi-object deletes of 1,000 keys) against deleting the same objects one request at a
 * time as Medusa 0.30 does (per backup: list `F/N` and DELETE each object, then list the backup's
 * index folder and DELETE each entry of the node), in the same run. Target: >= 10x faster.
 *
 * Usage: node --import tsx bench/purge.ts [--backups 500] [--objects-per-backup 400] [--concurrency 64]
 *   The node holds `--backups` full backups to purge plus one newer backup that stays
 *   (max_backup_count = 1); every purged backup has 4 meta objects and the rest data objects,
 *   plus 5 index entries. Both contenders get an identical copy of the bucket (under two prefixes),
 *   uploaded before each one runs; upload time is not counted.
 *
 * Measured 2026-11-21 (2 cores, load average ~25 from other suites, Ceph 16.2 radosgw on memstore),
 * 50 backups / 20,000 objects: one at a time 136.8 s (146 objects/s), medusa-ts purge 24.8 s
 * (807 objects/s): 5.5x. radosgw 16.2 works through the keys of a multi-object delete one after
 * another (bucket index prepare, head delete, index complete: ~1.2 ms per key here), so the gain is
 * bounded by the per-request overhead a single DELETE adds (~5.6 ms here); batches in flight at once
 * help only when radosgw has idle cores.
 */
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

/** Medusa 0.30's way: per backup, list `{P}F/N` and DELETE each object, then its index entries, one request each. */
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

await withRadosgw(3 * 1024 ** 3, async (store) => {
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

    const ours: BucketLayout = { prefix: 'ours' };
    await writeBucket(storage, ours);
    const stored = (await listAll(storage, 'ours/')).length;
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

    const medusa: BucketLayout = { prefix: 'medusa' };
    await writeBucket(storage, medusa);
    const names = Array.from({ length: BACKUPS }, (_, b) => `backup-${String(b).padStart(4, '0')}`);
    t0 = performance.now();
    const deleted = await deleteOneByOne(storage, medusa, names);
    const medusaSeconds = secondsSince(t0);
    console.log(`one at a time:    ${BACKUPS} backups, ${deleted} objects in ${medusaSeconds.toFixed(1)} s (${(deleted / medusaSeconds).toFixed(0)} objects/s)`);
    console.log(`speed-up: ${(medusaSeconds / oursSeconds).toFixed(1)}x (target >= 10x)`);
  } finally {
    await storage.close();
  }
});
