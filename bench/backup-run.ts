/**
 * One backup of a prepared snapshot folder by our backup operation (no Cassandra), run as a child
 * process by the other backup benchmarks so its peak RSS is its own. Prints one JSON line:
 * `{ seconds, cpuSeconds, maxRssMiB, uploaded, kept, hashMisses, hashHits }` (`seconds`: from
 * opening the store and loading the hash cache to the end; `cpuSeconds`: the whole process).
 *
 * Usage: tsx bench/backup-run.ts --data DIR --store DIR --name N [--mode full|differential]
 *        [--md5] [--cache FILE] [--listing-hashes] [--transfers 2] [--progress | --silent-progress] [--wrapped]
 *        [--lib DIR]
 *
 * `--lib DIR` is where the operation's modules are loaded from: this checkout's `src` by default
 * (run under tsx), or a built `dist` folder, of this or another checkout, run by plain Node.js
 * (`node bench/backup-run.ts --lib OTHER/dist`: Node 24 strips this file's types itself), which
 * is the code users run: tsx's compiled output differs (every closure it creates is named by a
 * helper call) and its loader costs startup time. So this file imports nothing from `src`
 * statically, and uses only what every version since the first differential benchmark offers.
 *
 * `--wrapped` puts the store behind the retry wrapper, as the CLI opens it (`storage/open.ts`).
 *
 * `BENCH_VERBOSE=1` prints each log line on stderr after the wall and CPU milliseconds since the
 * process started (CPU of every thread) and the RSS then: the phases' costs.
 *
 * `--progress` wires the CLI's progress line as `medusa backup` does: drawn on stderr when it is
 * a terminal, nothing at all otherwise (bench/progress-cost.ts runs it both ways).
 * `--silent-progress` gives the backup a reporter that keeps totals and draws nothing: the cost of
 * the upload path a reporter selects, without any drawing.
 *
 * `--listing-hashes` makes the local store's listing carry each object's MD5 (recorded when it was
 * stored, in a JSON file beside the bucket), as S3, GCS and Azure listings do: with it,
 * `--md5` really compares hashes, which the plain local store (no hash in listings) never does.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { MetadataPort, SnapshotPort } from '../src/cassandra/types.js';
import type { StorageBackend } from '../src/storage/types.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string' }, store: { type: 'string' }, name: { type: 'string' },
    mode: { type: 'string', default: 'full' }, md5: { type: 'boolean', default: false },
    cache: { type: 'string' }, transfers: { type: 'string', default: '2' }, 'listing-hashes': { type: 'boolean', default: false },
    progress: { type: 'boolean', default: false }, 'silent-progress': { type: 'boolean', default: false }, wrapped: { type: 'boolean', default: false }, lib: { type: 'string' },
  },
});
const data = values.data;
if (!data || !values.store || !values.name) throw new Error('--data, --store and --name are required');

const lib = resolve(values.lib ?? join(import.meta.dirname, '..', 'src'));
const load = (module: string): Promise<unknown> => import(pathToFileURL(join(lib, module)).href);
const { backupNode } = (await load('ops/backup-node.js')) as typeof import('../src/ops/backup-node.js');
const { LocalBackend } = (await load('storage/backends/local.js')) as typeof import('../src/storage/backends/local.js');
const { HashCache } = (await load('transfer/hash-cache.js')) as typeof import('../src/transfer/hash-cache.js');
const { systemClock } = (await load('util/clock.js')) as typeof import('../src/util/clock.js');
const { createLogger } = (await load('util/logger.js')) as typeof import('../src/util/logger.js');
const { findSnapshotTables, snapshotExists } = (await load('cassandra/snapshot-files.js')) as typeof import('../src/cassandra/snapshot-files.js');

/** The tag of the prepared snapshot (bench/backup-lib.ts `BENCH_TAG`). */
const BENCH_TAG = 'bench-snapshot';
/** A snapshot port over the prepared folder: whatever tag is asked for, it is {@link BENCH_TAG}; nothing is taken or cleared. */
const snapshots: SnapshotPort = {
  dataDirs: [data],
  exists: () => snapshotExists([data], BENCH_TAG),
  create: () => Promise.resolve(),
  clear: () => Promise.resolve(),
  tables: () => findSnapshotTables([data], BENCH_TAG),
};
/** Fixed node metadata (one node, one token). */
const metadata: MetadataPort = {
  read: () =>
    Promise.resolve({
      schema: 'CREATE KEYSPACE ks0 WITH replication = {\'class\': \'SimpleStrategy\', \'replication_factor\': \'1\'}  AND durable_writes = true;',
      tokenmap: new Map([['bench-node', { tokens: [-9223372036854775808n], is_up: true, rack: 'r1', dc: 'dc1' }]]),
      serverVersion: { server_type: 'cassandra', release_version: '5.0.9' },
    }),
};

const t0 = performance.now();
const local = new LocalBackend({ root: values.store });
const bare = values['listing-hashes'] ? await withListedHashes(local, `${values.store}.hashes.json`) : local;
const storage = values.wrapped ? ((await load('storage/wrappers/with-retry.js')) as typeof import('../src/storage/wrappers/with-retry.js')).withRetry(bare) : bare;
const hashCache = values.cache ? await HashCache.load({ persistPath: values.cache }) : undefined;
// BENCH_VERBOSE=1: each log line on stderr, after the wall and CPU milliseconds since the process started and the RSS (where the time and memory go).
const verbose = Boolean(process.env['BENCH_VERBOSE']);
const stamp = (): string => {
  const cpu = process.cpuUsage();
  const rss = process.memoryUsage.rss() / 1048576;
  return `[${performance.now().toFixed(0).padStart(6)} ms, cpu ${((cpu.user + cpu.system) / 1000).toFixed(0).padStart(5)} ms, rss ${rss.toFixed(0).padStart(4)} MiB]`;
};
const plainLog = createLogger({ verbosity: 0, withoutTimestamp: true, write: (l) => { if (verbose) process.stderr.write(`${stamp()} ${l}\n`); } });
const line = values.progress
  ? ((await load('cli/render/progress-line.js')) as typeof import('../src/cli/render/progress-line.js')).ProgressLine.forTerminal()
  : undefined;
const silent = values['silent-progress']
  ? new ((await load('transfer/progress.js')) as typeof import('../src/transfer/progress.js')).ProgressTotals()
  : undefined;
const progress = line ?? silent;
const log = line ? line.wrapLogger(plainLog) : plainLog;
const r = await backupNode(
  {
    storage, layout: {}, log, fqdn: 'bench-node', clock: systemClock,
    snapshots, metadata,
    concurrentTransfers: Number(values.transfers), md5CheckConcurrency: 2, multipartChunksize: 50 * 1024 * 1024,
    ...(hashCache ? { hashCache } : {}),
    ...(progress ? { progress } : {}),
  },
  { backupName: values.name, mode: values.mode === 'differential' ? 'differential' : 'full', checkHashes: values.md5, keepSnapshot: false, useExistingSnapshot: false },
);
await hashCache?.save({ dropUnused: true });
await (storage as { saveHashes?: () => Promise<void> }).saveHashes?.();
const seconds = (performance.now() - t0) / 1000;
if (verbose) {
  // Where the memory is at the end: V8's spaces (physical/used), and the RSS by mapping (anonymous
  // memory holds V8's heap and pooled pages, [heap] is malloc's).
  const { getHeapSpaceStatistics } = await import('node:v8');
  const mib = (n: number): string => (n / 1048576).toFixed(0);
  const spaces = getHeapSpaceStatistics().filter((sp) => sp.physical_space_size > 512 * 1024);
  const byMapping = new Map<string, number>();
  let mapping = 'anon';
  for (const line of (await readFile('/proc/self/smaps', 'utf8')).split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) mapping = head[1] || 'anon';
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) byMapping.set(mapping, (byMapping.get(mapping) ?? 0) + Number(rss[1]) * 1024);
  }
  const top = [...byMapping].sort((a, b) => b[1] - a[1]).slice(0, 3);
  process.stderr.write(`${stamp()} V8 spaces (MiB, physical/used): ${spaces.map((sp) => `${sp.space_name} ${mib(sp.physical_space_size)}/${mib(sp.space_used_size)}`).join(', ')}\n`);
  process.stderr.write(`${stamp()} RSS by mapping (MiB): ${top.map(([name, bytes]) => `${name} ${mib(bytes)}`).join(', ')}\n`);
  // CPU by thread (Linux /proc; threads that already ended are not listed): main, libuv's pool, V8's helpers, hash workers.
  const byThread = new Map<string, number>();
  for (const tid of await readdir('/proc/self/task')) {
    const stat = await readFile(`/proc/self/task/${tid}/stat`, 'utf8').catch(() => '');
    const name = /\((.*)\)/.exec(stat)?.[1] ?? '?';
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    byThread.set(name, (byThread.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) / 100);
  }
  process.stderr.write(`${stamp()} CPU s by thread name: ${[...byThread].sort((a, b) => b[1] - a[1]).map(([n, c]) => `${n} ${c.toFixed(2)}`).join(', ')}\n`);
}
process.stdout.write(`${JSON.stringify({
  seconds, cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6, maxRssMiB: process.resourceUsage().maxRSS / 1024, uploaded: r.uploaded, kept: r.kept,
  hashMisses: hashCache?.stats.misses ?? 0, hashHits: hashCache?.stats.hits ?? 0,
})}\n`);

/** The local store, with hashes in its listing (see the module comment). */
async function withListedHashes(inner: StorageBackend, file: string): Promise<StorageBackend & { saveHashes(): Promise<void> }> {
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
