/**
 * One backup of a prepared snapshot folder by our backup operation (no Cassandra), run as a child
 * process by the other backup benchmarks so its peak RSS is its own. Prints one JSON line:
 * `{ seconds, maxRssMiB, uploaded, kept, hashMisses, hashHits }`.
 *
 * Usage: tsx bench/backup-run.ts --data DIR --store DIR --name N [--mode full|differential]
 *        [--md5] [--cache FILE] [--listing-hashes] [--transfers 2] [--progress]
 *
 * `--progress` wires the CLI's progress line as `medusa backup` does: drawn on stderr when it is
 * a terminal, nothing at all otherwise (bench/progress-cost.ts runs it both ways).
 *
 * `--listing-hashes` makes the local store's listing carry each object's MD5 (recorded when it was
 * stored, in a JSON file beside the bucket), as S3, GCS and Azure listings do: with it,
 * `--md5` really compares hashes, which the plain local store (no hash in listings) never does.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { backupNode } from '../src/ops/backup-node.js';
import { LocalBackend } from '../src/storage/backends/local.js';
import type { StorageBackend } from '../src/storage/types.js';
import { HashCache } from '../src/transfer/hash-cache.js';
import { systemClock } from '../src/util/clock.js';
import { createLogger } from '../src/util/logger.js';
import { fixedMetadata, preparedSnapshots } from './backup-lib.js';
import { ProgressLine } from '../src/cli/render/progress-line.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string' }, store: { type: 'string' }, name: { type: 'string' },
    mode: { type: 'string', default: 'full' }, md5: { type: 'boolean', default: false },
    cache: { type: 'string' }, transfers: { type: 'string', default: '2' }, 'listing-hashes': { type: 'boolean', default: false },
    progress: { type: 'boolean', default: false },
  },
});
if (!values.data || !values.store || !values.name) throw new Error('--data, --store and --name are required');

const local = new LocalBackend({ root: values.store });
const storage = values['listing-hashes'] ? await withListedHashes(local, `${values.store}.hashes.json`) : local;
const hashCache = values.cache ? await HashCache.load({ persistPath: values.cache }) : undefined;
const plainLog = createLogger({ verbosity: 0, withoutTimestamp: !process.env['BENCH_VERBOSE'], write: (l) => { if (process.env['BENCH_VERBOSE']) process.stderr.write(`${l}\n`); } });
const progress = values.progress ? ProgressLine.forTerminal() : undefined;
const log = progress ? progress.wrapLogger(plainLog) : plainLog;
const t0 = performance.now();
const r = await backupNode(
  {
    storage, layout: {}, log, fqdn: 'bench-node', clock: systemClock,
    snapshots: preparedSnapshots(values.data), metadata: fixedMetadata,
    concurrentTransfers: Number(values.transfers), md5CheckConcurrency: 2, multipartChunksize: 50 * 1024 * 1024,
    ...(hashCache ? { hashCache } : {}),
    ...(progress ? { progress } : {}),
  },
  { backupName: values.name, mode: values.mode === 'differential' ? 'differential' : 'full', checkHashes: values.md5, keepSnapshot: false, useExistingSnapshot: false },
);
await hashCache?.save({ dropUnused: true });
await (storage as { saveHashes?: () => Promise<void> }).saveHashes?.();
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(`${JSON.stringify({
  seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024, uploaded: r.uploaded, kept: r.kept,
  hashMisses: hashCache?.stats.misses ?? 0, hashHits: hashCache?.stats.hits ?? 0,
})}\n`);

/** The local store, with hashes in its listing (see the module comment). */
async function withListedHashes(inner: LocalBackend, file: string): Promise<StorageBackend & { saveHashes(): Promise<void> }> {
  const hashes = new Map<string, string>(existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as Array<[string, string]>) : []);
  return {
    provider: inner.provider,
    capabilities: { ...inner.capabilities, listingHasHash: true },
    async put(key, source, options) {
      const info = await inner.put(key, source, options);
      if (info.hash) hashes.set(key, info.hash);
      return info;
    },
    get: (key, options) => inner.get(key, options),
    stat: (key) => inner.stat(key),
    async *list(prefix, options) {
      for await (const info of inner.list(prefix, options)) {
        const hash = hashes.get(info.key);
        yield hash ? { ...info, hash } : info;
      }
    },
    delete: (key) => inner.delete(key),
    deleteMany: (keys) => inner.deleteMany(keys),
    close: () => inner.close(),
    saveHashes: () => writeFile(file, JSON.stringify([...hashes])),
  };
}
