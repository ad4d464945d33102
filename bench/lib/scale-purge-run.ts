/**
 * One purge planning of a node holding `--objects` objects, for bench/scale.ts, as a child process
 * so its peak RSS is its own. Prints one JSON line: `{ seconds, maxRssMiB, backupsPurged, objectsPurged }`.
 *
 * Usage: tsx bench/lib/scale-purge-run.ts --objects N [--per-backup 10000]
 *
 * The bucket is partly generated, and its header says so here: the node has N / per-backup full
 * backups plus one newer one that stays (max_backup_count = 1). Their index entries, meta files,
 * the newest backup's data files and the latest-backup pointer are real objects in the project's
 * memory backend, written by the same index and manifest code a backup uses; the data objects of
 * the purged backups (all but a few of the N) exist only in listings, generated in key order as the
 * listing reaches them. That keeps the store's own memory out of the measured process (a million
 * objects held by an in-process store would be most of its RSS) and avoids laying out a million
 * files (about 4 GB and many minutes here). What runs is our real purge, `--dry-run`: index
 * listing, node listing, manifest reads of what stays, selection, the plan; nothing is deleted.
 */
import { parseArgs } from 'node:util';
import { setLatestBackup, writeIndexFinish, writeIndexStart } from '../../src/catalog/index-writer.js';
import { encodeManifest, type ManifestObject } from '../../src/domain/manifest.js';
import { encodeTokenMap } from '../../src/domain/tokenmap.js';
import { dataKey, metaKey, type BucketLayout } from '../../src/layout/keys.js';
import { purge } from '../../src/ops/purge.js';
import { MemoryBackend } from '../../src/storage/backends/memory.js';
import { putText } from '../../src/storage/helpers.js';
import type { ListOptions, ObjectInfo, StorageBackend } from '../../src/storage/types.js';
import { systemClock } from '../../src/util/clock.js';
import { createLogger } from '../../src/util/logger.js';

const { values } = parseArgs({ options: { objects: { type: 'string' }, 'per-backup': { type: 'string', default: '10000' } } });
const perBackup = Number(values['per-backup']);
const backups = Math.max(1, Math.round(Number(values.objects) / perBackup));
const FQDN = 'bench-node';
const TABLE = 'users-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1';
const TOKENMAP = encodeTokenMap(new Map([[FQDN, { tokens: [0n], is_up: true, rack: 'r1', dc: 'dc1' }]]));
const SCHEMA = 'CREATE KEYSPACE ks;';
const layout: BucketLayout = {};
const name = (b: number): string => `backup-${String(b).padStart(6, '0')}`;
/** Data file names sort in number order (zero-padded), so generated listings come out in key order. */
const fileName = (i: number): string => `nb-${String(i).padStart(8, '0')}-big-Data.db`;

const memory = new MemoryBackend();
const ctx = { storage: memory as StorageBackend, layout };
const now = Math.floor(Date.now() / 1000);
for (let b = 0; b <= backups; b++) {
  const started = now - (backups + 1 - b) * 3600;
  const objects: ManifestObject[] = [];
  if (b === backups) {
    for (let i = 0; i < 4; i++) {
      const path = dataKey(layout, FQDN, name(b), false, 'ks', TABLE, fileName(i));
      const info = await putText(memory, path, `${b}:${i}`);
      objects.push({ path, MD5: info.hash ?? null, size: info.size });
    }
  } else {
    // The manifest of a purged backup is never read; its files are listed, see `generated`.
    objects.push({ path: dataKey(layout, FQDN, name(b), false, 'ks', TABLE, fileName(0)), MD5: null, size: 100 });
  }
  const manifest = encodeManifest([{ keyspace: 'ks', columnfamily: TABLE, objects }]);
  await putText(memory, metaKey(layout, FQDN, name(b), 'schema.cql'), SCHEMA);
  await putText(memory, metaKey(layout, FQDN, name(b), 'tokenmap.json'), TOKENMAP);
  await writeIndexStart(ctx, { name: name(b), fqdn: FQDN, started, differential: false, tokenmapText: TOKENMAP, schemaText: SCHEMA });
  await putText(memory, metaKey(layout, FQDN, name(b), 'manifest.json'), manifest);
  await writeIndexFinish(ctx, { name: name(b), fqdn: FQDN, finished: started + 600, manifestText: manifest });
}
await setLatestBackup(ctx, { name: name(backups), fqdn: FQDN, tokenmapText: TOKENMAP });

const lastModified = new Date((now - 7200) * 1000);
/** The listed data objects of purged backup `b` whose keys start with `prefix`. */
function* generated(b: number, prefix: string): Generator<ObjectInfo> {
  if (b >= backups) return;
  for (let i = 0; i < perBackup; i++) {
    const key = dataKey(layout, FQDN, name(b), false, 'ks', TABLE, fileName(i));
    if (key.startsWith(prefix)) yield { key, size: 100, lastModified };
  }
}

/** The memory store, with each purged backup's data objects listed just before its meta files. */
const storage: StorageBackend = {
  provider: memory.provider,
  capabilities: memory.capabilities,
  put: (key, source, options) => memory.put(key, source, options),
  get: (key, options) => memory.get(key, options),
  stat: (key) => memory.stat(key),
  delete: (key) => memory.delete(key),
  deleteMany: (keys) => memory.deleteMany(keys),
  close: () => memory.close(),
  async *list(prefix: string, options?: ListOptions): AsyncIterable<ObjectInfo> {
    let next = 0; // the first backup whose generated objects are not yet listed
    const nodePrefix = `${FQDN}/`;
    for await (const info of memory.list(prefix, options)) {
      if (info.key.startsWith(nodePrefix)) {
        const b = Number(/^[^/]+\/backup-(\d+)\//.exec(info.key)?.[1] ?? -1);
        // "data/" sorts before "meta/": a backup's data objects come before its first meta file.
        for (; next <= b; next++) yield* generated(next, prefix);
      }
      yield info;
    }
  },
};

const log = createLogger({ verbosity: 0, withoutTimestamp: true, write: () => undefined });
const t0 = performance.now();
const report = await purge({ storage, layout, log, clock: systemClock }, { fqdn: FQDN, policy: { maxBackupAgeDays: 0, maxBackupCount: 1 }, graceDays: 10, dryRun: true });
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(`${JSON.stringify({ seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024, backupsPurged: report.totals.nbBackupsPurged, objectsPurged: report.totals.nbObjectsPurged })}\n`);
